/**
 * Text updates that touch the DOM only when something changed. Live updates
 * run on every presence fact; rewriting identical text would still replace
 * text nodes, which some screen readers re-read under the user's focus.
 */
import { bindAttr, bindText } from '../../i18n/bind.ts';
import type { MessageKey, MessageParams } from '../../i18n/translate.ts';

/** What each element was last bound to; bind.ts itself keeps it in the current language. */
const lastBound = new WeakMap<Element, Map<string, string>>();

function isSameBinding(el: Element, slot: string, key: MessageKey, params: MessageParams): boolean {
  let slots = lastBound.get(el);
  if (!slots) {
    slots = new Map();
    lastBound.set(el, slots);
  }
  const signature = JSON.stringify([key, params]);
  if (slots.get(slot) === signature) return true;
  slots.set(slot, signature);
  return false;
}

/** Plain text (user data, formatted times). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Catalogue text. */
export function setBoundText(el: Element, key: MessageKey, params: MessageParams = {}): void {
  if (!isSameBinding(el, '', key, params)) bindText(el, key, params);
}

/** A catalogue attribute (aria-label…). */
export function setBoundAttr(el: Element, attr: string, key: MessageKey, params: MessageParams = {}): void {
  if (!isSameBinding(el, attr, key, params)) bindAttr(el, attr, key, params);
}
