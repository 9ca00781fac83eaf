/** A modal yes/no question (native <dialog>: focus trapped, Escape cancels). */
import type { MessageKey, MessageParams } from '../../i18n/translate.ts';
import { h } from './dom-builder.ts';

export function confirmAction(question: { title: MessageKey; body: MessageKey; confirm: MessageKey; params?: MessageParams }): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h('button', { class: 'button', msg: 'common.cancel', attrs: { type: 'button', value: 'cancel' } });
    const confirm = h('button', { class: 'button danger', msg: question.confirm, attrs: { type: 'button', value: 'confirm' } });
    const dialog = h(
      'dialog',
      { class: 'confirm-dialog', attrs: { 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-body' } },
      h('h2', { id: 'confirm-title', msg: question.title, params: question.params }),
      h('p', { id: 'confirm-body', msg: question.body, params: question.params }),
      h('div', { class: 'button-row' }, cancel, confirm),
    );
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => done(false));
    confirm.addEventListener('click', () => done(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
