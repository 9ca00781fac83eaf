/**
 * The frame of every screen: a neutral header, the language switch, one main
 * region whose content is swapped per screen, and a polite live region for
 * status announcements. Focus moves to each new screen's heading.
 */
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey, MessageParams } from '../../i18n/translate.ts';
import { h } from './dom-builder.ts';
import { languageSwitch } from './language-switch.ts';

export interface PageShell {
  readonly root: HTMLElement;
  show(screen: HTMLElement, name: string): void;
  announce(key: MessageKey, params?: MessageParams): void;
  headerSlot: HTMLElement;
}

export function createPageShell(mount: HTMLElement, brandKey: MessageKey): PageShell {
  const headerSlot = h('div', { class: 'header-slot' });
  const header = h('header', { class: 'app-header' }, h('span', { class: 'brand', msg: brandKey }), headerSlot, languageSwitch());
  const main = h('main', { class: 'app-main', id: 'main' });
  const live = h('div', { class: 'visually-hidden', attrs: { 'aria-live': 'polite', role: 'status' } });
  const skip = h('a', { class: 'skip-link', msg: 'common.skipToContent', attrs: { href: '#main' } });
  mount.replaceChildren(skip, header, main, live);

  return {
    root: main,
    headerSlot,
    show(screen, name) {
      main.replaceChildren(screen);
      main.dataset.screen = name;
      document.body.dataset.screen = name;
      const heading = screen.querySelector<HTMLElement>('h1, h2');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: false });
      }
    },
    announce(key, params) {
      // Re-setting the same text is not re-announced; clear first.
      live.textContent = '';
      window.setTimeout(() => bindText(live, key, params), 50);
    },
  };
}
