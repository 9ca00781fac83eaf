/** Which language to show: pure, so it is unit-tested without a browser. */
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

const isLocale = (value: string): value is Locale => (LOCALES as readonly string[]).includes(value);

/** A choice made with the switch wins; else the first of the browser's languages we speak; else English. */
export function chooseLocale(browserLanguages: readonly string[], stored: string | null): Locale {
  if (stored && isLocale(stored)) return stored;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}
