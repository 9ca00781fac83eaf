import { h } from './dom-builder.ts';

/** The bare address: neutral, says nothing about who uses it. */
export function landingView(): HTMLElement {
  return h(
    'section',
    { class: 'card landing' },
    h('h1', { msg: 'landing.title' }),
    h('p', { msg: 'landing.body' }),
    h('p', {}, h('a', { msg: 'landing.console', attrs: { href: '/console' } })),
  );
}
