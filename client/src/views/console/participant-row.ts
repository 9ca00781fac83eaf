/**
 * One invited person in the therapist's session: who, where they are, and what can be done.
 * The row lives as long as the participant and is patched on each presence update: its
 * buttons are kept while their action still applies, so focus on them survives arrivals.
 */
import type { ConnectionVerdict, ParticipantPresence, PresenceState, SessionKind } from '@alcove/shared';
import { formatTime, t, type MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { setBoundAttr, setBoundText, setText } from './patch-text.ts';

export type ParticipantAction = 'admit' | 'send-back' | 'mute' | 'alone' | 'release' | 'remove';

const STATE_KEYS: Readonly<Record<PresenceState, MessageKey>> = {
  invited: 'presence.invited',
  waiting: 'presence.waiting',
  reconnecting: 'presence.reconnecting',
  admitted: 'presence.admitted',
  'in-call': 'presence.inCall',
  held: 'presence.held',
  left: 'presence.left',
  removed: 'presence.removed',
};

/** The client's own pre-call check, in words (never a colour alone). */
const CONNECTION_KEYS: Readonly<Record<ConnectionVerdict, MessageKey>> = {
  ready: 'participant.connection.ready',
  'slower-path': 'participant.connection.slowerPath',
  blocked: 'participant.connection.blocked',
  'no-encryption': 'participant.connection.noEncryption',
};
/** Worth the therapist's attention before admitting: a phone call may be the better plan. */
const CONNECTION_WARNS: ReadonlySet<ConnectionVerdict> = new Set(['blocked', 'no-encryption']);

const ACTIONS_BY_STATE: Readonly<Record<PresenceState, readonly ParticipantAction[]>> = {
  invited: ['remove'],
  waiting: ['admit', 'remove'],
  reconnecting: ['remove'],
  admitted: ['send-back', 'remove'],
  'in-call': ['mute', 'alone', 'send-back', 'remove'],
  held: ['release', 'remove'],
  left: ['remove'],
  removed: [],
};

/** Time alone with one partner is offered only in a couple's live call with the therapist in it and nobody held (session-panel.ts decides). */
const CONTEXT_ACTIONS: ReadonlySet<ParticipantAction> = new Set(['alone']);

const ACTION_KEYS: Readonly<Record<ParticipantAction, { text: MessageKey; named: MessageKey }>> = {
  admit: { text: 'participant.admit', named: 'participant.admitNamed' },
  'send-back': { text: 'participant.sendBack', named: 'participant.sendBackNamed' },
  mute: { text: 'participant.mute', named: 'participant.muteNamed' },
  // Named in the visible text too: which partner stays with the therapist must be read, not guessed.
  alone: { text: 'participant.aloneNamed', named: 'participant.aloneNamed' },
  release: { text: 'participant.releaseNamed', named: 'participant.releaseNamed' },
  remove: { text: 'participant.remove', named: 'participant.removeNamed' },
};

const ACTION_CLASSES: Readonly<Record<ParticipantAction, string>> = {
  admit: 'button small primary',
  'send-back': 'button small',
  mute: 'button small',
  alone: 'button small',
  release: 'button small primary',
  remove: 'button small danger-outline',
};

export function slotLabel(kind: SessionKind, slot: number): { key: MessageKey; params: { n: number } } {
  return { key: kind === 'couple' ? 'participant.partner' : 'participant.client', params: { n: slot } };
}

/** "Partner 1 (Sam)": how actions and announcements name a person, in the current language. */
export function whoLabel(kind: SessionKind, p: ParticipantPresence): string {
  const label = slotLabel(kind, p.slot);
  return `${t(label.key, label.params)}${p.displayName ? ` (${p.displayName})` : ''}`;
}

export interface ParticipantRow {
  readonly root: HTMLLIElement;
  /** `canTalkAlone`: the therapist may take this partner aside (hold the other). */
  update(p: ParticipantPresence, context?: { canTalkAlone: boolean }): void;
}

export function participantRow(kind: SessionKind, initial: ParticipantPresence, onAction: (action: ParticipantAction, p: ParticipantPresence) => void): ParticipantRow {
  let current = initial;
  const label = slotLabel(kind, initial.slot);
  // The display name is chosen by the client: shown as what they typed, never as an identity.
  const name = h('bdi', { class: 'participant-name' });
  const nameSeparator = document.createTextNode(' · ');
  const who = h('span', { class: 'participant-who' }, h('strong', { msg: label.key, params: label.params }));
  const stateText = h('span');
  const since = h('span');
  const sinceSeparator = document.createTextNode(' · ');
  const connection = h('span', { class: 'participant-connection' });
  const connectionSeparator = document.createTextNode(' · ');
  const details = h('span', { class: 'participant-state' }, stateText);
  const actions = h('div', { class: 'participant-actions' });
  const buttons = new Map<ParticipantAction, HTMLButtonElement>();
  const root = h('li', { class: 'participant-row', attrs: { 'data-participant-id': initial.participantId } }, h('div', { class: 'participant-info' }, who, details), actions);

  const button = (action: ParticipantAction) =>
    h('button', { class: ACTION_CLASSES[action], attrs: { type: 'button', 'data-action': action }, on: { click: () => onAction(action, current) } });

  function update(p: ParticipantPresence, context = { canTalkAlone: false }) {
    current = p;
    root.dataset.state = p.state;
    if (p.displayName) {
      setText(name, p.displayName);
      if (!name.isConnected) who.append(nameSeparator, name);
    } else {
      nameSeparator.remove();
      name.remove();
    }
    details.dataset.state = p.state;
    setBoundText(stateText, STATE_KEYS[p.state]);
    if (p.state === 'waiting' && p.waitingSince) {
      setBoundText(since, 'participant.waitingSince', { time: formatTime(p.waitingSince) });
      // Before the connection check's words, so the order reads the same whenever each arrives.
      if (!since.isConnected) {
        const before = connectionSeparator.isConnected ? connectionSeparator : null;
        details.insertBefore(sinceSeparator, before);
        details.insertBefore(since, before);
      }
    } else {
      sinceSeparator.remove();
      since.remove();
    }
    const showsConnection = p.connectionCheck !== null && p.state !== 'left' && p.state !== 'removed';
    if (showsConnection && p.connectionCheck) {
      connection.dataset.connectionCheck = p.connectionCheck;
      connection.classList.toggle('is-warning', CONNECTION_WARNS.has(p.connectionCheck));
      setBoundText(connection, CONNECTION_KEYS[p.connectionCheck]);
      if (!connection.isConnected) details.append(connectionSeparator, connection);
    } else {
      connectionSeparator.remove();
      connection.remove();
    }

    // Buttons whose action still applies stay the same nodes; only the others come and go.
    const wanted = ACTIONS_BY_STATE[p.state].filter((action) => !CONTEXT_ACTIONS.has(action) || context.canTalkAlone);
    for (const [action, el] of buttons) {
      if (wanted.includes(action)) continue;
      el.remove();
      buttons.delete(action);
    }
    const params = { who: whoLabel(kind, p) };
    wanted.forEach((action, i) => {
      let el = buttons.get(action);
      if (!el) {
        el = button(action);
        buttons.set(action, el);
      }
      setBoundText(el, ACTION_KEYS[action].text, params);
      setBoundAttr(el, 'aria-label', ACTION_KEYS[action].named, params);
      const there = actions.children[i] ?? null;
      if (there !== el) actions.insertBefore(el, there);
    });
  }

  update(initial);
  return { root, update };
}
