import { currentLocale, LOCALES, onLocaleChange, setLocale, type Locale } from '../../i18n/translate.ts';
import { h } from './dom-builder.ts';

const NAMES: Readonly<Record<Locale, string>> = { en: 'English', es: 'Español' };

/** A visible language switch: each language named in itself, so anyone can find theirs. */
export function languageSwitch(): HTMLElement {
  const nav = h('nav', { class: 'language-switch', msgAttrs: { 'aria-label': 'language.label' } });
  const buttons = LOCALES.map((locale) =>
    h('button', { attrs: { type: 'button', lang: locale, 'data-locale': locale }, on: { click: () => setLocale(locale) } }, NAMES[locale]),
  );
  const mark = () => {
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.locale === currentLocale()));
  };
  mark();
  onLocaleChange(mark);
  nav.append(...buttons);
  return nav;
}
