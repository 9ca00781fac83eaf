/**
 * What the call says about its encryption: pending, then "End-to-end encrypted · verification
 * code 1234 5678" for reading aloud, or "Encryption problem" with a blocking alert. The code
 * covers everyone's public keys, so it changes when someone joins, leaves or reconnects; each
 * change is said in words ("The code changed: Kai joined.") and announced politely. The console
 * has "Codes compared"; a client reads "Your therapist compared the codes." only while its own
 * code is the one the therapist compared.
 */
import type { CallCode } from '../../call/call-code.ts';
import type { Encryption } from '../../call/call-room.ts';
import { bindText } from '../../i18n/bind.ts';
import { t } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { changeMessages } from './code-changes.ts';

export interface EncryptionStatus {
  /** The status line (`data-state`: pending, on, failed). */
  readonly line: HTMLElement;
  /** What changed, the confirmation, and the console's "Codes compared" (aria-live). */
  readonly news: HTMLElement;
  /** The alert shown when encryption failed. */
  readonly alert: HTMLElement;
  set(encryption: Encryption): void;
  setCode(code: CallCode): void;
}

export interface EncryptionStatusOptions {
  /** The console's "Codes compared" button; absent for clients. */
  onCompared?: () => void;
}

export function createEncryptionStatus(options: EncryptionStatusOptions = {}): EncryptionStatus {
  const line = h('p', { class: 'call-encryption', attrs: { 'data-state': 'pending' } }, h('span', { msg: 'call.encryption.pending' }));
  const alert = h('p', { class: 'call-encryption-error', msg: 'call.encryption.failed', attrs: { role: 'alert', hidden: true } });
  const changed = h('span', { class: 'code-changed' });
  const confirmation = h('span', { class: 'code-confirmed' });
  const live = h('span', { attrs: { role: 'status', 'aria-live': 'polite' } }, changed, ' ', confirmation);
  const compareButton = options.onCompared
    ? h('button', { class: 'button small', msg: 'call.code.markCompared', attrs: { type: 'button', 'data-action': 'codes-compared', hidden: true }, on: { click: () => options.onCompared?.() } })
    : null;
  const news = h('p', { class: 'call-code-news' }, live, compareButton ? ' ' : null, compareButton);
  let state: Encryption['state'] | 'pending' = 'pending';
  let code: CallCode | null = null;

  function render() {
    if (state === 'pending' || !code) return;
    line.dataset.state = state;
    // The code is for reading aloud: everyone in the call must see the same digits. It stays
    // visible after a failure: a different code is how people find out whose key is wrong.
    line.replaceChildren(
      h('span', { class: 'lock', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'encryption-label', msg: state === 'on' ? 'call.encryption.on' : 'call.encryption.problem' }),
      ' · ',
      h('span', { msg: 'call.encryption.code' }),
      ' ',
      h('strong', { class: 'verification-code', attrs: { 'data-members': String(code.memberCount) } }, code.code),
      h('span', { class: 'hint', msg: 'call.encryption.compare' }),
    );
    if (compareButton) compareButton.hidden = state !== 'on' || code.compared === 'self';
  }

  return {
    line,
    news,
    alert,
    set(encryption) {
      state = encryption.state;
      if (encryption.state === 'failed') {
        alert.hidden = false;
        const label = line.querySelector('.encryption-label');
        line.dataset.state = 'failed';
        if (label) bindText(label, 'call.encryption.problem');
      }
      render();
    },
    setCode(next) {
      const isNewCode = code?.code !== next.code;
      code = next;
      if (isNewCode) {
        const [latest] = changeMessages(next.changes).slice(-1);
        changed.replaceChildren(latest ? h('span', { msg: latest.key, params: { name: latest.name ?? t('call.code.therapistName') } }) : '');
      }
      if (next.compared === 'therapist') confirmation.replaceChildren(h('span', { msg: 'call.code.therapistCompared' }));
      else if (next.compared === 'self') confirmation.replaceChildren(h('span', { msg: 'call.code.markedCompared', params: { code: next.code } }));
      else confirmation.replaceChildren();
      confirmation.dataset.compared = next.compared ?? 'none';
      render();
    },
  };
}
