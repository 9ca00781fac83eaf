/** Before anything: what this is, that nothing is recorded, and what is kept. */
import { h } from '../common/dom-builder.ts';

export function noticeView(onContinue: () => void): HTMLElement {
  const list = h(
    'ul',
    { class: 'notice-list' },
    h('li', { msg: 'notice.talkOnly' }),
    h('li', { msg: 'notice.notRecorded' }),
    h('li', { msg: 'notice.kept' }),
    h('li', { msg: 'notice.camera' }),
  );
  return h(
    'section',
    { class: 'card notice' },
    h('h1', { msg: 'notice.title' }),
    h('p', { msg: 'notice.intro' }),
    list,
    h('button', { class: 'button primary', msg: 'notice.continue', attrs: { type: 'button' }, on: { click: onContinue } }),
  );
}
