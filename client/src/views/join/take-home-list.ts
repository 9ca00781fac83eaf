/**
 * The therapist's resources on the exit page: each link opens in a new tab with no referrer and
 * no opener (the resource's site learns nothing of this page), "Save the list" makes a plain-text
 * file here in the browser (a Blob; nothing goes to our server), and "Done" — or leaving the page
 * any way — wipes the list from this tab.
 */
import { resourceListAsText, type TakeHomeResource } from '@alcove/shared';
import { t } from '../../i18n/translate.ts';
import { wipeResources } from '../../state/take-home-store.ts';
import { h } from '../common/dom-builder.ts';

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function saveAsFile(resources: readonly TakeHomeResource[]) {
  const blob = new Blob([resourceListAsText(t('takeHome.fileHeading'), resources)], { type: 'text/plain;charset=utf-8' });
  const href = URL.createObjectURL(blob);
  const link = h('a', { attrs: { href, download: t('takeHome.fileName'), hidden: true } });
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has started the download.
  window.setTimeout(() => URL.revokeObjectURL(href), 0);
}

export function takeHomeList(resources: readonly TakeHomeResource[]): HTMLElement {
  const items = resources.map((r) =>
    h(
      'li',
      {},
      h(
        'a',
        { attrs: { href: r.url, target: '_blank', rel: 'noopener noreferrer', referrerpolicy: 'no-referrer' } },
        r.title,
        h('span', { class: 'visually-hidden', msg: 'takeHome.newTab' }),
      ),
      h('span', { class: 'resource-host' }, hostOf(r.url)),
    ),
  );
  const section = h(
    'section',
    { class: 'take-home', attrs: { 'aria-labelledby': 'take-home-title' } },
    h('h2', { id: 'take-home-title', msg: 'takeHome.title' }),
    h('p', { msg: 'takeHome.intro' }),
    h('ul', { class: 'take-home-list' }, ...items),
    h('p', { class: 'hint', msg: 'takeHome.privacy' }),
  );
  const done = () => {
    // Made now, not with the list: a language switch translates only what is in the page.
    const cleared = h('p', { class: 'take-home-cleared', msg: 'takeHome.cleared', attrs: { tabindex: -1 } });
    wipeResources();
    window.removeEventListener('pagehide', wipeResources);
    section.replaceWith(cleared);
    cleared.focus();
  };
  section.append(
    h(
      'div',
      { class: 'button-row' },
      h('button', { class: 'button primary', msg: 'takeHome.save', attrs: { type: 'button', 'data-action': 'save-resources' }, on: { click: () => saveAsFile(resources) } }),
      h('button', { class: 'button', msg: 'takeHome.done', attrs: { type: 'button', 'data-action': 'resources-done' }, on: { click: done } }),
    ),
  );
  // Closing the tab or going anywhere else is leaving the exit page too.
  window.addEventListener('pagehide', wipeResources);
  return section;
}
