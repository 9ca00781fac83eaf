/** One invited person in the therapist's session: who, where they are, and what can be done. */
import type { ParticipantPresence, PresenceState, SessionKind } from '@alcove/shared';
import { formatTime, t, type MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

export type ParticipantAction = 'admit' | 'send-back' | 'mute' | 'remove';

const STATE_KEYS: Readonly<Record<PresenceState, MessageKey>> = {
  invited: 'presence.invited',
  waiting: 'presence.waiting',
  reconnecting: 'presence.reconnecting',
  admitted: 'presence.admitted',
  'in-call': 'presence.inCall',
  left: 'presence.left',
  removed: 'presence.removed',
};

const ACTIONS_BY_STATE: Readonly<Record<PresenceState, readonly ParticipantAction[]>> = {
  invited: ['remove'],
  waiting: ['admit', 'remove'],
  reconnecting: ['remove'],
  admitted: ['send-back', 'remove'],
  'in-call': ['mute', 'send-back', 'remove'],
  left: ['remove'],
  removed: [],
};

const ACTION_KEYS: Readonly<Record<ParticipantAction, { text: MessageKey; named: MessageKey }>> = {
  admit: { text: 'participant.admit', named: 'participant.admitNamed' },
  'send-back': { text: 'participant.sendBack', named: 'participant.sendBackNamed' },
  mute: { text: 'participant.mute', named: 'participant.muteNamed' },
  remove: { text: 'participant.remove', named: 'participant.removeNamed' },
};

export function slotLabel(kind: SessionKind, slot: number): { key: MessageKey; params: { n: number } } {
  return { key: kind === 'couple' ? 'participant.partner' : 'participant.client', params: { n: slot } };
}

export function participantRow(kind: SessionKind, p: ParticipantPresence, onAction: (action: ParticipantAction) => void): HTMLElement {
  const label = slotLabel(kind, p.slot);
  const who = h('span', { class: 'participant-who' }, h('strong', { msg: label.key, params: label.params }));
  // The display name is chosen by the client: shown as what they typed, never as an identity.
  if (p.displayName) who.append(' · ', h('bdi', { class: 'participant-name' }, p.displayName));
  const details = h('span', { class: 'participant-state', attrs: { 'data-state': p.state } }, h('span', { msg: STATE_KEYS[p.state] }));
  if (p.state === 'waiting' && p.waitingSince) details.append(' · ', h('span', { msg: 'participant.waitingSince', params: { time: formatTime(p.waitingSince) } }));
  const actions = h('div', { class: 'participant-actions' });
  for (const action of ACTIONS_BY_STATE[p.state]) {
    actions.append(
      h('button', {
        class: `button small ${action === 'admit' ? 'primary' : action === 'remove' ? 'danger-outline' : ''}`,
        msg: ACTION_KEYS[action].text,
        msgAttrs: { 'aria-label': ACTION_KEYS[action].named },
        params: { who: `${t(label.key, label.params)}${p.displayName ? ` (${p.displayName})` : ''}` },
        attrs: { type: 'button', 'data-action': action },
        on: { click: () => onAction(action) },
      }),
    );
  }
  return h('li', { class: 'participant-row', attrs: { 'data-participant-id': p.participantId, 'data-state': p.state } }, h('div', { class: 'participant-info' }, who, details), actions);
}
