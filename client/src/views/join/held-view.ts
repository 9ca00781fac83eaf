/**
 * The private hold screen: the therapist is talking with the other partner alone. Nothing of the
 * call is here (the page left the media room and holds no key); a kind, neutral word, the place
 * kept, and Leave. The server brings the person back (`waiting-room:admitted`); a reload lands
 * here again for as long as the hold lasts.
 */
import { h } from '../common/dom-builder.ts';

export function heldView(onLeave: () => void): HTMLElement {
  return h(
    'section',
    { class: 'card waiting-room held' },
    h('div', { class: 'calm-mark', attrs: { 'aria-hidden': 'true' } }),
    h('h1', { msg: 'held.title' }),
    h('p', { class: 'waiting-status', msg: 'held.body', attrs: { role: 'status', 'aria-live': 'polite' } }),
    h('p', { msg: 'held.private' }),
    h('button', { class: 'button', msg: 'held.leave', attrs: { type: 'button' }, on: { click: onLeave } }),
  );
}
