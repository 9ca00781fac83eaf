/**
 * The client's journey as a pure state machine: notice → check-in → waiting room → call → a
 * kind closing page. `step(state, event)` says what the journey now is and which effects to run
 * (show a screen, ask the server, join or end the call, wait and come back); it does no IO, no
 * DOM and no timers, so every transition is unit tested (`test/unit/join-journey.test.ts`).
 * `views/join/join-app.ts` turns socket and call news into events and runs the effects.
 * The server is the source of truth: after any drop the journey checks in again and goes
 * where the answer says.
 */
import type { CloseReason, WaitingRoomMessage } from '@alcove/shared';

export type Screen = 'connecting' | 'notice' | 'check-in' | 'waiting' | 'held' | 'call' | 'closed';

export type ClosedReason =
  | 'removed'
  | 'session-ended'
  | 'device-replaced'
  | 'left'
  | 'invalid-invite'
  | 'too-early'
  | 'device-in-use'
  | 'rate-limited'
  | 'unavailable'
  | 'unsupported';

export type WaitingStatus = 'waiting.status.waiting' | 'waiting.status.sentBack' | 'waiting.status.reconnecting' | 'waiting.status.admitting';
export type CheckInError = 'checkIn.nameInvalid' | 'checkIn.rateLimited' | 'checkIn.failed';
/** Why the media connection ended, as the call reports it. */
export type CallEnd = 'left' | 'removed' | 'ended' | 'replaced' | 'lost';
/** Why joining the call failed: LiveKit E2EE missing, a socket command's or our HTTP API's error code, or anything else. */
export type JoinFailure = { kind: 'encryption-unavailable' } | { kind: 'command'; code: string } | { kind: 'api'; code: string } | { kind: 'other' };

/** After the media connection drops, how long to wait for the server to say why before rejoining. */
export const CALL_DROP_SETTLE_MS = 1500;
/** After a failed join (media server unreachable, a network blip), when to ask the server again. */
export const JOIN_RETRY_MS = 2000;
/** A server-side disconnect with no `session:closed` before this is unexpected. */
export const SERVER_CLOSE_SETTLE_MS = 500;

export interface JourneyState {
  readonly screen: Screen;
  /** A join is under way (token, key, connect); no second one starts meanwhile. */
  readonly joining: boolean;
  /** A call view and room exist (from the moment the call screen shows until the call is ended). */
  readonly hasCall: boolean;
  /** Which call the news is about: news from an ended call means nothing. */
  readonly callId: number;
  /** The person (or the server's close) is taking them out: drops are not reconnected. */
  readonly leaving: boolean;
  readonly lastMessage: WaitingRoomMessage | null;
}

export type JourneyEvent =
  | { type: 'socket-connected'; noticeRead: boolean; checkedIn: boolean; displayName: string | null }
  | { type: 'notice-read' }
  | { type: 'check-in-submitted'; displayName: string }
  | { type: 'checked-in'; displayName: string; state: 'waiting' | 'admitted' | 'in-call' | 'held'; lastMessage: WaitingRoomMessage | null }
  | { type: 'check-in-failed'; code: string; fromForm: boolean }
  | { type: 'handshake-failed'; code: string | null; opensAt: number; socketActive: boolean }
  | { type: 'socket-dropped'; reason: string }
  | { type: 'server-close-settled' }
  | { type: 'admitted' }
  | { type: 'sent-back' }
  /** The therapist talks with the other partner alone: out of the call to the hold screen, until let in again (`admitted`). */
  | { type: 'held' }
  | { type: 'message-posted'; message: WaitingRoomMessage }
  | { type: 'closed-by-server'; reason: CloseReason }
  | { type: 'leave-clicked' }
  | { type: 'leave-sent' }
  | { type: 'call-shown'; callId: number }
  | { type: 'call-joined'; callId: number }
  | { type: 'call-failed'; callId: number; failure: JoinFailure }
  | { type: 'call-ended'; callId: number; reason: CallEnd }
  | { type: 'call-drop-settled'; callId: number; reason: CallEnd }
  | { type: 'join-retry-due' };

export type JourneyEffect =
  | { type: 'show-notice' }
  | { type: 'show-check-in' }
  /** A new waiting room screen (stops the microphone test, preloads the call). */
  | { type: 'show-waiting' }
  /** The private hold screen: nothing of the call, a kind word, the place kept. */
  | { type: 'show-held' }
  | { type: 'waiting-status'; key: WaitingStatus }
  | { type: 'waiting-message'; message: WaitingRoomMessage | null }
  | { type: 'remember'; patch: { noticeRead?: boolean; displayName?: string; checkedIn?: boolean } }
  | { type: 'check-in'; displayName: string; fromForm: boolean }
  /** Check in again under the saved name, if the socket is connected. */
  | { type: 'check-in-again' }
  | { type: 'check-in-error'; key: CheckInError }
  | { type: 'join-call'; callId: number }
  /** Leave the call and take its view down; `wait`: the effects after it wait until it is left. */
  | { type: 'end-call'; wait: boolean }
  | { type: 'call-reconnecting' }
  | { type: 'announce-joined' }
  | { type: 'send-leave' }
  | { type: 'close'; reason: ClosedReason; opensAt: number | null; forgetInvite: boolean; markLeft: boolean; action: 'closed.rejoin' | 'closed.tryAgain' | null }
  | { type: 'after'; delayMs: number; event: JourneyEvent };

export interface Step {
  readonly state: JourneyState;
  readonly effects: readonly JourneyEffect[];
}

export const initialJourney: JourneyState = { screen: 'connecting', joining: false, hasCall: false, callId: 0, leaving: false, lastMessage: null };

const stay = (state: JourneyState): Step => ({ state, effects: [] });
const FORGETS_INVITE = new Set<ClosedReason>(['removed', 'session-ended', 'invalid-invite']);
const TRY_AGAIN = new Set<ClosedReason>(['too-early', 'device-in-use', 'unavailable', 'rate-limited']);

/** Every way out ends on a closing page; the invite is forgotten when it can never work again. */
function close(state: JourneyState, reason: ClosedReason, opensAt: number | null = null): Step {
  if (state.screen === 'closed') return stay(state);
  const action = reason === 'left' ? 'closed.rejoin' : TRY_AGAIN.has(reason) ? 'closed.tryAgain' : null;
  return {
    state: { ...state, screen: 'closed', hasCall: false },
    effects: [{ type: 'close', reason, opensAt, forgetInvite: FORGETS_INVITE.has(reason), markLeft: reason === 'left', action }],
  };
}

/** The status line is itself a live region: setting it is the announcement. */
function toWaiting(state: JourneyState, key: WaitingStatus = 'waiting.status.waiting', before: JourneyEffect[] = []): Step {
  const effects: JourneyEffect[] = [...before];
  if (state.screen !== 'waiting') effects.push({ type: 'show-waiting' });
  effects.push({ type: 'waiting-status', key }, { type: 'waiting-message', message: state.lastMessage });
  return { state: { ...state, screen: 'waiting' }, effects };
}

/** Out of the call (its view taken down first) to the hold screen; the server decides when it ends. */
function toHeld(state: JourneyState): Step {
  const ended = endCall(state);
  const endEffects = state.hasCall ? ended.effects : [];
  if (state.screen === 'held') return { state: ended.state, effects: endEffects };
  return { state: { ...ended.state, screen: 'held' }, effects: [...endEffects, { type: 'show-held' }] };
}

function joinCall(state: JourneyState): Step {
  if (state.joining || state.hasCall || state.screen === 'closed') return stay(state);
  const callId = state.callId + 1;
  return { state: { ...state, joining: true, callId }, effects: [{ type: 'join-call', callId }] };
}

function endCall(state: JourneyState, wait = true): { state: JourneyState; effects: JourneyEffect[] } {
  return { state: { ...state, hasCall: false }, effects: [{ type: 'end-call', wait }] };
}

function withEffects(step: Step, before: readonly JourneyEffect[]): Step {
  return { state: step.state, effects: [...before, ...step.effects] };
}

const HANDSHAKE_CLOSE: Readonly<Record<string, ClosedReason>> = {
  invalid_invite: 'invalid-invite',
  bad_request: 'invalid-invite',
  unauthorized: 'invalid-invite',
  session_ended: 'session-ended',
  device_in_use: 'device-in-use',
  rate_limited: 'rate-limited',
  invite_not_open_yet: 'too-early',
};

const SERVER_CLOSE: Readonly<Record<CloseReason, ClosedReason>> = {
  removed: 'removed',
  'session-ended': 'session-ended',
  'device-replaced': 'device-replaced',
  left: 'left',
};

/** Our HTTP API's answers to a media token request that end the journey (or send it back to wait). */
const JOIN_API_CLOSE: Readonly<Record<string, ClosedReason>> = {
  session_ended: 'session-ended',
  invalid_invite: 'removed',
  device_in_use: 'device-replaced',
};

function onCheckedIn(state: JourneyState, event: Extract<JourneyEvent, { type: 'checked-in' }>): Step {
  const next = { ...state, lastMessage: event.lastMessage };
  const remember: JourneyEffect = { type: 'remember', patch: { displayName: event.displayName, checkedIn: true } };
  // A reload or a reconnection while held lands on the hold screen again: the server says so.
  if (event.state === 'held') return withEffects(toHeld(next), [remember]);
  if (event.state === 'waiting') {
    if (next.screen !== 'call') return toWaiting(next, undefined, [remember]);
    const ended = endCall(next, false);
    return toWaiting(ended.state, undefined, [remember, ...ended.effects]);
  }
  // Also after a call that could not be rejoined: the server says we are still in it.
  if (next.screen === 'call' && next.hasCall) return { state: next, effects: [remember] };
  return withEffects(joinCall(next), [remember]);
}

function onCheckInFailed(state: JourneyState, { code, fromForm }: Extract<JourneyEvent, { type: 'check-in-failed' }>): Step {
  if (code === 'session_ended') return close(state, 'session-ended');
  if (code === 'invalid_invite') return close(state, 'invalid-invite');
  if (!fromForm) return { state: { ...state, screen: 'check-in' }, effects: [{ type: 'show-check-in' }] };
  const key: CheckInError = code === 'bad_request' ? 'checkIn.nameInvalid' : code === 'rate_limited' ? 'checkIn.rateLimited' : 'checkIn.failed';
  return { state, effects: [{ type: 'check-in-error', key }] };
}

function onHandshakeFailed(state: JourneyState, { code, opensAt, socketActive }: Extract<JourneyEvent, { type: 'handshake-failed' }>): Step {
  const reason = code === null ? undefined : HANDSHAKE_CLOSE[code];
  if (reason) return close(state, reason, reason === 'too-early' ? opensAt : null);
  if (!socketActive) return close(state, 'unavailable');
  if (state.screen === 'waiting') return { state, effects: [{ type: 'waiting-status', key: 'waiting.status.reconnecting' }] };
  return stay(state);
}

function onSocketDropped(state: JourneyState, reason: string): Step {
  if (state.leaving || state.screen === 'closed') return stay(state);
  // A close with a reason comes as `session:closed` first; anything else is unexpected.
  if (reason === 'io server disconnect') return { state, effects: [{ type: 'after', delayMs: SERVER_CLOSE_SETTLE_MS, event: { type: 'server-close-settled' } }] };
  if (state.screen === 'waiting') return { state, effects: [{ type: 'waiting-status', key: 'waiting.status.reconnecting' }] };
  return stay(state);
}

function onCallFailed(state: JourneyState, failure: JoinFailure): Step {
  const ended = endCall({ ...state, joining: false });
  const then = (step: Step) => withEffects(step, ended.effects);
  if (failure.kind === 'encryption-unavailable') return then(close(ended.state, 'unsupported'));
  // Held while the join was under way: the token was refused, and the hold screen stays.
  if (state.screen === 'held') return { state: ended.state, effects: ended.effects };
  if (failure.kind !== 'other' && failure.code === 'not_admitted') return then(toWaiting(ended.state));
  const reason = failure.kind === 'api' ? JOIN_API_CLOSE[failure.code] : undefined;
  if (reason) return then(close(ended.state, reason));
  // Media server unreachable or a network blip: ask the server again shortly.
  return { state: ended.state, effects: [...ended.effects, { type: 'after', delayMs: JOIN_RETRY_MS, event: { type: 'join-retry-due' } }] };
}

/** The call ended by itself: the socket usually explains (removed, ended, sent back) within a moment; if not, ask again. */
function onCallEnded(state: JourneyState, { callId, reason }: Extract<JourneyEvent, { type: 'call-ended' }>): Step {
  if (state.leaving || !state.hasCall || callId !== state.callId) return stay(state);
  return { state, effects: [{ type: 'call-reconnecting' }, { type: 'after', delayMs: CALL_DROP_SETTLE_MS, event: { type: 'call-drop-settled', callId, reason } }] };
}

function onCallDropSettled(state: JourneyState, { callId, reason }: Extract<JourneyEvent, { type: 'call-drop-settled' }>): Step {
  if (!state.hasCall || callId !== state.callId || state.screen === 'closed') return stay(state);
  const ended = endCall(state);
  if (reason === 'replaced') return withEffects(close(ended.state, 'device-replaced'), ended.effects);
  return { state: ended.state, effects: [...ended.effects, { type: 'check-in-again' }] };
}

const REDUCERS: { [T in JourneyEvent['type']]: (state: JourneyState, event: Extract<JourneyEvent, { type: T }>) => Step } = {
  'socket-connected': (state, event) => {
    if (event.checkedIn && event.displayName) return { state, effects: [{ type: 'check-in', displayName: event.displayName, fromForm: false }] };
    if (state.screen !== 'connecting') return stay(state);
    return event.noticeRead ? { state: { ...state, screen: 'check-in' }, effects: [{ type: 'show-check-in' }] } : { state: { ...state, screen: 'notice' }, effects: [{ type: 'show-notice' }] };
  },
  'notice-read': (state) => ({ state: { ...state, screen: 'check-in' }, effects: [{ type: 'remember', patch: { noticeRead: true } }, { type: 'show-check-in' }] }),
  'check-in-submitted': (state, { displayName }) => ({ state, effects: [{ type: 'check-in', displayName, fromForm: true }] }),
  'checked-in': onCheckedIn,
  'check-in-failed': onCheckInFailed,
  'handshake-failed': onHandshakeFailed,
  'socket-dropped': (state, { reason }) => onSocketDropped(state, reason),
  'server-close-settled': (state) => (state.screen === 'closed' || state.leaving ? stay(state) : close(state, 'unavailable')),
  admitted: (state) => {
    // Released from hold: the hold screen stays up until the call's view replaces it.
    if (state.screen === 'held') return joinCall({ ...state, screen: 'waiting' });
    return withEffects(joinCall(state), state.screen === 'waiting' ? [{ type: 'waiting-status', key: 'waiting.status.admitting' }] : []);
  },
  'sent-back': (state) => {
    const ended = endCall(state);
    return toWaiting(ended.state, 'waiting.status.sentBack', ended.effects);
  },
  held: (state) => (state.screen === 'closed' ? stay(state) : toHeld(state)),
  'message-posted': (state, { message }) => ({
    state: { ...state, lastMessage: message },
    effects: state.screen === 'waiting' ? [{ type: 'waiting-message', message }] : [],
  }),
  'closed-by-server': (state, { reason }) => close({ ...state, leaving: true }, SERVER_CLOSE[reason]),
  'leave-clicked': (state) => {
    const ended = endCall({ ...state, leaving: true });
    return { state: ended.state, effects: [...ended.effects, { type: 'send-leave' }] };
  },
  'leave-sent': (state) => close(state, 'left'),
  'call-shown': (state, { callId }) => {
    if (callId !== state.callId) return stay(state);
    // Held while this call was opening: it goes down again, and the hold screen comes back over it.
    if (state.screen === 'held') return { state, effects: [{ type: 'end-call', wait: true }, { type: 'show-held' }] };
    return { state: { ...state, screen: 'call', hasCall: true }, effects: [] };
  },
  'call-joined': (state, { callId }) => (callId === state.callId ? { state: { ...state, joining: false }, effects: [{ type: 'announce-joined' }] } : stay(state)),
  'call-failed': (state, { callId, failure }) => (callId === state.callId ? onCallFailed(state, failure) : stay(state)),
  'call-ended': onCallEnded,
  'call-drop-settled': onCallDropSettled,
  'join-retry-due': (state) => (state.screen === 'closed' ? stay(state) : { state, effects: [{ type: 'check-in-again' }] }),
};

export function step(state: JourneyState, event: JourneyEvent): Step {
  return (REDUCERS[event.type] as (state: JourneyState, event: JourneyEvent) => Step)(state, event);
}
