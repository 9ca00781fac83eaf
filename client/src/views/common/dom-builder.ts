/**
 * A tiny element builder: enough structure to keep views readable without a
 * framework. Text comes from the catalogue via `msg`; plain strings are only
 * for user data (names, messages) and are always set as text, never as HTML.
 */
import { bindAttr, bindText } from '../../i18n/bind.ts';
import type { MessageKey, MessageParams } from '../../i18n/translate.ts';

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  /** Catalogue text for the element. */
  msg?: MessageKey;
  params?: MessageParams;
  /** Catalogue text for attributes, e.g. { 'aria-label': 'call.mute' }. */
  msgAttrs?: Readonly<Record<string, MessageKey>>;
  attrs?: Readonly<Record<string, string | number | boolean | null | undefined>>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [attr, key] of Object.entries(props.msgAttrs ?? {})) bindAttr(el, attr, key, props.params);
  if (props.msg) bindText(el, props.msg, props.params);
  for (const [event, handler] of Object.entries(props.on ?? {})) el.addEventListener(event, handler as EventListener);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Replaces all children. */
export function setChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

let idCounter = 0;
export function uniqueId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
