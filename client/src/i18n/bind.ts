/**
 * Binds elements to message keys so a language switch updates the page in place:
 * live video elements, focus and form input survive, nothing is re-rendered.
 */
import { onLocaleChange, t, type MessageKey, type MessageParams } from './translate.ts';

interface Binding {
  key: MessageKey;
  params: MessageParams;
}

const textBindings = new WeakMap<Element, Binding>();
const attrBindings = new WeakMap<Element, Map<string, Binding>>();
const BOUND_ATTR = 'data-i18n';

/** Sets an element's text from the catalogue and keeps it in the current language. */
export function bindText<E extends Element>(el: E, key: MessageKey, params: MessageParams = {}): E {
  textBindings.set(el, { key, params });
  el.setAttribute(BOUND_ATTR, '');
  el.textContent = t(key, params);
  return el;
}

/** Empties a bound element and forgets its key, so a language switch does not bring the text back. */
export function clearText(el: Element): void {
  textBindings.delete(el);
  if (!attrBindings.has(el)) el.removeAttribute(BOUND_ATTR);
  el.textContent = '';
}

/** The same for an attribute (aria-label, placeholder, title…). */
export function bindAttr<E extends Element>(el: E, attr: string, key: MessageKey, params: MessageParams = {}): E {
  let map = attrBindings.get(el);
  if (!map) {
    map = new Map();
    attrBindings.set(el, map);
  }
  map.set(attr, { key, params });
  el.setAttribute(BOUND_ATTR, '');
  el.setAttribute(attr, t(key, params));
  return el;
}

function refresh(root: ParentNode): void {
  for (const el of root.querySelectorAll(`[${BOUND_ATTR}]`)) {
    const text = textBindings.get(el);
    if (text) el.textContent = t(text.key, text.params);
    for (const [attr, binding] of attrBindings.get(el) ?? []) el.setAttribute(attr, t(binding.key, binding.params));
  }
}

let installed = false;
/** Once per page: re-translates every bound element when the language changes. */
export function installLanguageRefresh(extra: () => void = () => undefined): void {
  if (installed) return;
  installed = true;
  onLocaleChange(() => {
    refresh(document);
    extra();
  });
}
