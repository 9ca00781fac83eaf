/** "Running five minutes late": a short message to everyone in the waiting room. */
import { WAITING_ROOM_MESSAGE_MAX_CHARS } from '@alcove/shared';
import { bindText } from '../../i18n/bind.ts';
import { h } from '../common/dom-builder.ts';

export function createWaitingMessageForm(send: (text: string) => Promise<void>): { root: HTMLElement } {
  const input = h('textarea', { id: 'waiting-message', attrs: { rows: 2, maxlength: WAITING_ROOM_MESSAGE_MAX_CHARS, 'aria-describedby': 'waiting-message-hint' } });
  const status = h('p', { class: 'hint', attrs: { role: 'status' } });
  const form = h(
    'form',
    { class: 'message-form' },
    h('label', { msg: 'message.label', attrs: { for: 'waiting-message' } }),
    h('p', { id: 'waiting-message-hint', class: 'hint', msg: 'message.hint' }),
    input,
    h('button', { class: 'button', msg: 'message.send', attrs: { type: 'submit' } }),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    try {
      await send(text);
      input.value = '';
      bindText(status, 'message.sent');
    } catch {
      bindText(status, 'message.failed');
    }
  });
  return { root: h('section', { class: 'message-section', attrs: { 'aria-labelledby': 'message-title' } }, h('h3', { id: 'message-title', msg: 'message.title' }), form) };
}
