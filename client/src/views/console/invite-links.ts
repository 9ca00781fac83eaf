/**
 * Invitation links, shown only in this page's memory (the server shows a
 * secret once). Copy puts a link on the clipboard; "new link" replaces it.
 */
import type { InviteLink, SessionKind } from '@alcove/shared';
import { bindText } from '../../i18n/bind.ts';
import { h, uniqueId } from '../common/dom-builder.ts';
import { slotLabel } from './participant-row.ts';

export function inviteLinksView(
  kind: SessionKind,
  slots: readonly { participantId: string; slot: number; removed: boolean }[],
  links: ReadonlyMap<string, InviteLink>,
  onReissue: (participantId: string) => void,
): HTMLElement {
  const list = h('ul', { class: 'invite-links' });
  for (const { participantId, slot, removed } of slots) {
    if (removed) continue;
    const label = slotLabel(kind, slot);
    const link = links.get(participantId);
    const row = h('li', { class: 'invite-link', attrs: { 'data-participant-id': participantId } });
    const status = h('span', { class: 'copy-status', attrs: { role: 'status' } });
    if (link) {
      const id = uniqueId('invite');
      const input = h('input', { id, class: 'link-text', attrs: { type: 'text', readonly: true, value: link.joinUrl, spellcheck: 'false' } });
      const copy = h('button', {
        class: 'button small',
        msg: 'links.copy',
        attrs: { type: 'button', 'data-action': 'copy-link' },
        on: {
          click: async () => {
            try {
              await navigator.clipboard.writeText(link.joinUrl);
              bindText(status, 'links.copied');
            } catch {
              input.select();
              bindText(status, 'links.copyManually');
            }
          },
        },
      });
      row.append(h('label', { msg: label.key, params: label.params, attrs: { for: id } }), h('div', { class: 'link-row' }, input, copy), status);
    } else {
      row.append(h('strong', { msg: label.key, params: label.params }), ' ', h('span', { class: 'hint', msg: 'links.hidden' }));
    }
    row.append(h('button', { class: 'button small', msg: 'links.reissue', attrs: { type: 'button', 'data-action': 'reissue-link' }, on: { click: () => onReissue(participantId) } }));
    list.append(row);
  }
  return h('section', { class: 'links-section', attrs: { 'aria-labelledby': 'links-title' } }, h('h3', { id: 'links-title', msg: 'links.title' }), h('p', { class: 'hint', msg: 'links.hint' }), list);
}
