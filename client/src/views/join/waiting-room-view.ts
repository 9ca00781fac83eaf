/** The waiting room: calm, with status announced to screen readers, the therapist's messages, a device check and Leave. */
import type { WaitingRoomMessage } from '@alcove/shared';
import type { LocalPreview } from '../../call/local-preview.ts';
import { bindText } from '../../i18n/bind.ts';
import { formatTime, type MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { createDevicePanel, type DevicePanel } from './device-panel.ts';

export interface WaitingRoomView {
  readonly root: HTMLElement;
  setStatus(key: MessageKey): void;
  showMessage(message: WaitingRoomMessage | null): void;
  destroy(): void;
}

/** `extra`: the private note and intake forms (`sealed-forms.ts`), when the therapist offers them. */
export function waitingRoomView(preview: LocalPreview, displayName: string, onLeave: () => void, extra: HTMLElement | null = null): WaitingRoomView {
  const status = h('p', { class: 'waiting-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const messageBox = h('section', { class: 'therapist-message', attrs: { 'aria-live': 'polite', hidden: true }, msgAttrs: { 'aria-label': 'waiting.messageLabel' } });
  let panel: DevicePanel | null = null;
  // Open when the camera is on, so nobody is on camera without seeing it.
  const details = h('details', { class: 'device-details', attrs: { open: preview.videoTrack !== null } }, h('summary', { msg: 'waiting.checkDevices' }));
  const onToggle = () => {
    if (details.open && !panel) {
      panel = createDevicePanel(preview);
      details.append(panel.root);
    }
  };
  details.addEventListener('toggle', onToggle);
  onToggle();
  const root = h(
    'section',
    { class: 'card waiting-room' },
    h('div', { class: 'calm-mark', attrs: { 'aria-hidden': 'true' } }),
    h('h1', { msg: 'waiting.title', params: { name: displayName } }),
    status,
    h('p', { msg: 'waiting.reassure' }),
    messageBox,
    extra,
    details,
    h('button', { class: 'button', msg: 'waiting.leave', attrs: { type: 'button' }, on: { click: onLeave } }),
  );
  return {
    root,
    setStatus(key) {
      bindText(status, key);
    },
    showMessage(message) {
      messageBox.hidden = message === null;
      if (!message) return;
      messageBox.replaceChildren(
        h('h2', { msg: 'waiting.messageFrom', params: { time: formatTime(message.sentAt) } }),
        h('p', { class: 'message-text' }, message.text),
      );
    },
    destroy: () => panel?.destroy(),
  };
}
