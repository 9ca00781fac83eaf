/**
 * The participant lifecycle, in one table: for each stored state, the commands, webhooks and timers
 * it accepts and the state each leads to. Every caller that changes or depends on a participant's
 * state asks this table (which states a compare-and-set may start from, where it leads, whether a
 * token or a key may be had), so a new state is one new row here and nowhere else. Pure: no IO.
 *
 * A cell naming the row's own state is a *stay*: the command is allowed and changes other fields
 * only (a connection, a name, `inCall`), or is a check (a media token, a key). A missing cell means
 * the command is refused in that state.
 */
import type { AuditEvent } from '../observability/audit-trail.ts';

/** Stored participant states; `reconnecting` and `in-call` are derived for presence (presence-view.ts). */
export const PARTICIPANT_STATUSES = ['invited', 'waiting', 'admitted', 'held', 'left', 'removed'] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

/** Everything that may act on a participant: the client's socket, the therapist's console, LiveKit's webhooks, the presence timers. */
export const LIFECYCLE_COMMANDS = [
  // the client's connection (socket handshake, client-presence.ts)
  'connect',
  'check-in',
  'report-connection-check',
  'disconnect',
  'reaffirm',
  'leave',
  // the presence sweeper's timer: the grace period is over
  'grace-expired',
  // the therapist's console (host-controls.ts, session-service.ts)
  'admit',
  'send-back',
  'hold',
  'release',
  'remove',
  'mute',
  'reissue-invite',
  // LiveKit's webhooks (webhook-handler.ts)
  'media-joined',
  'media-left',
  // what being in the call entitles to (media-token-service.ts, call-member-relay.ts)
  'get-media-token',
  'exchange-keys',
  // a waiting client's public key, kept for the moment it is admitted (call-member-relay.ts)
  'stage-key',
  // a sealed note or intake answers, from someone checked in (encryption/sealed-inbox.ts)
  'send-sealed',
] as const;
export type LifecycleCommand = (typeof LIFECYCLE_COMMANDS)[number];

type Row = Partial<Record<LifecycleCommand, ParticipantStatus>>;

/** What a client connected to its invite may always do, in every state that still has an invite. */
const CONNECTION: (state: ParticipantStatus) => Row = (state) => ({
  connect: state,
  'report-connection-check': state,
  disconnect: state,
  'reissue-invite': state,
  remove: 'removed',
});

export const LIFECYCLE_TABLE: Readonly<Record<ParticipantStatus, Readonly<Row>>> = {
  invited: {
    ...CONNECTION('invited'),
    'check-in': 'waiting',
    reaffirm: 'invited',
    leave: 'left',
  },
  waiting: {
    ...CONNECTION('waiting'),
    'check-in': 'waiting',
    reaffirm: 'waiting',
    leave: 'left',
    'grace-expired': 'left',
    'send-sealed': 'waiting',
    'stage-key': 'waiting',
    admit: 'admitted',
    // a sent-back client's media connection closing after its transition
    'media-left': 'waiting',
  },
  admitted: {
    ...CONNECTION('admitted'),
    // a reload during the call: still admitted, only the name is refreshed
    'check-in': 'admitted',
    reaffirm: 'admitted',
    leave: 'left',
    'send-back': 'waiting',
    // a partner of a couple out of the call while the therapist talks with the other alone
    hold: 'held',
    mute: 'admitted',
    'media-joined': 'admitted',
    'media-left': 'admitted',
    'get-media-token': 'admitted',
    'exchange-keys': 'admitted',
    'send-sealed': 'admitted',
  },
  // Out of the call, keeping the place: no media token, no key, no media room; a reload or a new
  // connection lands here again. Admit-all does not release (only `admit` from waiting does).
  held: {
    ...CONNECTION('held'),
    'check-in': 'held',
    reaffirm: 'held',
    leave: 'left',
    release: 'admitted',
    'media-left': 'held',
    // a private word to the therapist stays possible while on hold
    'send-sealed': 'held',
  },
  left: {
    ...CONNECTION('left'),
    // the place is kept: whoever comes back with the invite waits again
    'check-in': 'waiting',
  },
  removed: {},
};

/** The audit event of each command that changes a participant's state; a stay is not a transition and is not audited. */
export const TRANSITION_AUDIT_EVENTS: Readonly<Partial<Record<LifecycleCommand, AuditEvent>>> = {
  'check-in': 'checked-in',
  leave: 'left',
  'grace-expired': 'place-expired',
  admit: 'admitted',
  'send-back': 'sent-back',
  hold: 'held',
  release: 'released',
  remove: 'removed',
};

/** Where `command` leads from `state`, or null when the state refuses it. */
export function nextStatus(state: ParticipantStatus, command: LifecycleCommand): ParticipantStatus | null {
  return LIFECYCLE_TABLE[state][command] ?? null;
}

export function allows(state: ParticipantStatus, command: LifecycleCommand): boolean {
  return nextStatus(state, command) !== null;
}

/** Every state that accepts `command`: the `from` list of the store's compare-and-set. */
export function statesAllowing(command: LifecycleCommand): ParticipantStatus[] {
  return PARTICIPANT_STATUSES.filter((state) => allows(state, command));
}

/**
 * The one target of `command` from `from` (default: every state that accepts it), or `null` when
 * each of them stays where it is. Throws when the states lead to different places: the caller must
 * then read the state first and pass it (check-in does).
 */
export function targetOf(command: LifecycleCommand, from: readonly ParticipantStatus[] = statesAllowing(command)): ParticipantStatus | null {
  const moves = new Set<ParticipantStatus>();
  let stays = false;
  for (const state of from) {
    const next = nextStatus(state, command);
    if (next === null) throw new Error(`lifecycle: ${command} is not allowed from ${state}`);
    if (next === state) stays = true;
    else moves.add(next);
  }
  if (moves.size === 0) return null;
  if (moves.size > 1 || stays) throw new Error(`lifecycle: ${command} leads to different states from ${from.join(', ')}`);
  return [...moves][0]!;
}

/** A participant in this state is in the call: may hold a media token, be in the media room and be sealed the media key. */
export const isInCall = (state: ParticipantStatus): boolean => allows(state, 'get-media-token');

/** A participant in this state occupies the session (waiting or in it), so a connected one keeps the session from ending with its media room. */
export const isPresent = (state: ParticipantStatus): boolean => allows(state, 'reaffirm') && state !== 'invited';
