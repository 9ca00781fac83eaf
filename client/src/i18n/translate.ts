/**
 * Message lookup. The English catalogue defines the keys; Spanish must have
 * every one (the type says so). Views never hold user-visible text themselves.
 */
import { en } from './messages-en.ts';
import { es } from './messages-es.ts';
import { chooseLocale, type Locale } from './locale-choice.ts';

export type MessageKey = keyof typeof en;
export type MessageParams = Readonly<Record<string, string | number>>;
export type Catalogue = Readonly<Record<MessageKey, string>>;

export { LOCALES, type Locale } from './locale-choice.ts';

const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, es };
const LOCALE_STORAGE_KEY = 'alcove.locale';

let current: Locale = 'en';
const listeners = new Set<(locale: Locale) => void>();

export function initLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    // storage can be disabled; the browser language still applies
  }
  current = chooseLocale(navigator.languages ?? [navigator.language], stored);
  document.documentElement.lang = current;
  return current;
}

export function currentLocale(): Locale {
  return current;
}

export function setLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // not persisted; fine
  }
  for (const listener of listeners) listener(locale);
}

export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey, params: MessageParams = {}): string {
  const template = CATALOGUES[current][key];
  return template.replace(/\{(\w+)\}/gu, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function formatTime(epochMs: number): string {
  return new Intl.DateTimeFormat(current, { hour: 'numeric', minute: '2-digit' }).format(epochMs);
}

export function formatDateTime(epochMs: number): string {
  return new Intl.DateTimeFormat(current, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(epochMs);
}

/** mm:ss or h:mm:ss, for the session timer. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}
