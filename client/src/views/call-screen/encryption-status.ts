/**
 * What the call says about its encryption: pending, then "End-to-end encrypted · verification
 * code 1234 5678" for reading aloud, or "Encryption problem" with a blocking alert.
 */
import type { Encryption } from '../../call/call-room.ts';
import { bindText } from '../../i18n/bind.ts';
import { h } from '../common/dom-builder.ts';

export interface EncryptionStatus {
  /** The status line (`data-state`: pending, on, failed). */
  readonly line: HTMLElement;
  /** The alert shown when encryption failed. */
  readonly alert: HTMLElement;
  set(encryption: Encryption): void;
}

export function createEncryptionStatus(): EncryptionStatus {
  const line = h('p', { class: 'call-encryption', attrs: { 'data-state': 'pending' } }, h('span', { msg: 'call.encryption.pending' }));
  const alert = h('p', { class: 'call-encryption-error', msg: 'call.encryption.failed', attrs: { role: 'alert', hidden: true } });
  return {
    line,
    alert,
    set(state) {
      if (state.state === 'on') {
        line.dataset.state = 'on';
        // The code is for reading aloud: everyone in the call must see the same digits.
        line.replaceChildren(
          h('span', { class: 'lock', attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'encryption-label', msg: 'call.encryption.on' }),
          ' · ',
          h('span', { msg: 'call.encryption.code' }),
          ' ',
          h('strong', { class: 'verification-code' }, state.verificationCode),
          h('span', { class: 'hint', msg: 'call.encryption.compare' }),
        );
      } else {
        // The code stays visible: a different code is how people find out whose key is wrong.
        line.dataset.state = 'failed';
        const label = line.querySelector('.encryption-label');
        if (label) bindText(label, 'call.encryption.problem');
        alert.hidden = false;
      }
    },
  };
}
