/**
 * Invitation links, shown only in this page's memory (the server shows a
 * secret once). Copy puts a link on the clipboard; "new link" replaces it.
 * Patched in place on every presence update, keyed by participant id, so a
 * focused Copy or New link button is never swapped for a look-alike.
 */
import type { InviteLink, SessionKind } from '@alcove/shared';
import { bindText } from '../../i18n/bind.ts';
import { t } from '../../i18n/translate.ts';
import { h, uniqueId } from '../common/dom-builder.ts';
import { slotLabel } from './participant-row.ts';
import { setBoundAttr } from './patch-text.ts';

export interface InviteSlot {
  participantId: string;
  slot: number;
  removed: boolean;
}

export interface InviteLinksView {
  readonly root: HTMLElement;
  render(slots: readonly InviteSlot[], links: ReadonlyMap<string, InviteLink>): void;
}

interface LinkRow {
  readonly li: HTMLLIElement;
  update(link: InviteLink | undefined): void;
}

function linkRow(kind: SessionKind, participantId: string, slot: number, onReissue: (participantId: string) => void): LinkRow {
  const label = slotLabel(kind, slot);
  const reissue = h('button', {
    class: 'button small',
    msg: 'links.reissue',
    attrs: { type: 'button', 'data-action': 'reissue-link' },
    on: { click: () => onReissue(participantId) },
  });
  const li = h('li', { class: 'invite-link', attrs: { 'data-participant-id': participantId } }, reissue);
  let shown: { link: InviteLink; input: HTMLInputElement; copy: HTMLButtonElement } | null = null;
  let isShaped = false;

  const linkParts = (link: InviteLink) => {
    const id = uniqueId('invite');
    const input = h('input', { id, class: 'link-text', attrs: { type: 'text', readonly: true, spellcheck: 'false' } });
    input.value = link.joinUrl;
    const status = h('span', { class: 'copy-status', attrs: { role: 'status' } });
    const copy = h('button', {
      class: 'button small',
      msg: 'links.copy',
      attrs: { type: 'button', 'data-action': 'copy-link' },
      on: {
        click: async () => {
          try {
            await navigator.clipboard.writeText(input.value);
            bindText(status, 'links.copied');
          } catch {
            input.select();
            bindText(status, 'links.copyManually');
          }
        },
      },
    });
    shown = { link, input, copy };
    return [h('label', { msg: label.key, params: label.params, attrs: { for: id } }), h('div', { class: 'link-row' }, input, copy), status];
  };
  const hiddenParts = () => [h('strong', { msg: label.key, params: label.params }), ' ', h('span', { class: 'hint', msg: 'links.hidden' })];

  return {
    li,
    update(link) {
      if (link && shown) {
        // A newer link for the same person: same field and buttons, new address.
        if (link !== shown.link) {
          shown.input.value = link.joinUrl;
          shown.link = link;
        }
      } else if (!isShaped || Boolean(link) !== Boolean(shown)) {
        // Hidden ↔ shown changes the row's shape; the New link button (often the focused one) stays.
        while (li.firstChild !== reissue) li.firstChild?.remove();
        shown = null;
        reissue.before(...(link ? linkParts(link) : hiddenParts()));
        isShaped = true;
      }
      // Buttons repeat in every row, so their names say whose link; `who` is computed text, refreshed here.
      const who = { who: t(label.key, label.params) };
      setBoundAttr(reissue, 'aria-label', 'links.reissueNamed', who);
      if (shown) setBoundAttr(shown.copy, 'aria-label', 'links.copyNamed', who);
    },
  };
}

export function inviteLinksView(kind: SessionKind, onReissue: (participantId: string) => void): InviteLinksView {
  const list = h('ul', { class: 'invite-links' });
  const rows = new Map<string, LinkRow>();
  const root = h('section', { class: 'links-section', attrs: { 'aria-labelledby': 'links-title' } }, h('h3', { id: 'links-title', msg: 'links.title' }), h('p', { class: 'hint', msg: 'links.hint' }), list);
  return {
    root,
    render(slots, links) {
      const wanted = slots.filter((s) => !s.removed);
      const ids = new Set(wanted.map((s) => s.participantId));
      for (const [id, row] of rows) {
        if (ids.has(id)) continue;
        row.li.remove();
        rows.delete(id);
      }
      wanted.forEach(({ participantId, slot }, i) => {
        let row = rows.get(participantId);
        if (!row) {
          row = linkRow(kind, participantId, slot, onReissue);
          rows.set(participantId, row);
        }
        row.update(links.get(participantId));
        const there = list.children[i] ?? null;
        if (there !== row.li) list.insertBefore(row.li, there);
      });
    },
  };
}
