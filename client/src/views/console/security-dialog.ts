/**
 * Two-factor authentication for the therapist: enrolment with an authenticator
 * app (a QR code drawn in the page, the key shown for typing in as the fallback,
 * a code to confirm) and the one-time display of recovery codes. Turning it off is the operator's job (`alcove therapist reset-2fa`).
 */
import { ApiError } from '../../api/http-client.ts';
import { therapistApi } from '../../api/therapist-api.ts';
import { bindText, clearText } from '../../i18n/bind.ts';
import { h } from '../common/dom-builder.ts';
import { createTotpQrCode } from './totp-qr-code.ts';

export function createSecurityDialog(initiallyEnabled: boolean): { button: HTMLButtonElement; dialog: HTMLDialogElement } {
  let enabled = initiallyEnabled;
  const body = h('div', { class: 'security-body' });
  const status = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const close = h('button', { class: 'button', msg: 'common.close', attrs: { type: 'button' } });
  const dialog = h(
    'dialog',
    { class: 'security-dialog', attrs: { 'aria-labelledby': 'security-title' } },
    h('h2', { id: 'security-title', msg: 'totp.title' }),
    body,
    status,
    h('div', { class: 'button-row' }, close),
  );
  close.addEventListener('click', () => dialog.close());

  const showState = () => {
    clearText(status);
    if (enabled) {
      body.replaceChildren(h('p', { msg: 'totp.isOn' }));
      return;
    }
    const start = h('button', { class: 'button primary', msg: 'totp.setUp', attrs: { type: 'button' } });
    start.addEventListener('click', () => void beginSetUp());
    body.replaceChildren(h('p', { msg: 'totp.isOff' }), start);
  };

  async function beginSetUp() {
    try {
      const { secret, otpauthUri } = await therapistApi.setUpTotp();
      const code = h('input', { id: 'totp-code', attrs: { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, pattern: '[0-9]{6}' } });
      const form = h(
        'form',
        {},
        h('div', { class: 'field' }, h('label', { msg: 'totp.code', attrs: { for: 'totp-code' } }), code),
        h('button', { class: 'button primary', msg: 'totp.confirm', attrs: { type: 'submit' } }),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void confirm(code.value.trim());
      });
      body.replaceChildren(
        h('p', { msg: 'totp.scanHint' }),
        h('div', { class: 'totp-qr-frame' }, createTotpQrCode(otpauthUri)),
        h('div', { class: 'field' },
          h('label', { msg: 'totp.key', attrs: { for: 'totp-key' } }),
          h('input', { id: 'totp-key', class: 'link-text', attrs: { type: 'text', readonly: true, value: secret.replace(/(.{4})/gu, '$1 ').trim() } })),
        h('div', { class: 'field' },
          h('label', { msg: 'totp.uri', attrs: { for: 'totp-uri' } }),
          h('input', { id: 'totp-uri', class: 'link-text', attrs: { type: 'text', readonly: true, value: otpauthUri } })),
        form,
      );
      code.focus();
    } catch {
      bindText(status, 'totp.failed');
    }
  }

  async function confirm(code: string) {
    if (!/^\d{6}$/u.test(code)) return void bindText(status, 'totp.wrongCode');
    try {
      const { recoveryCodes } = await therapistApi.confirmTotp(code);
      enabled = true;
      clearText(status);
      body.replaceChildren(
        h('p', { msg: 'totp.enabled' }),
        h('p', { msg: 'totp.recoveryHint' }),
        h('ul', { class: 'recovery-codes' }, ...recoveryCodes.map((c) => h('li', {}, h('code', {}, c)))),
      );
    } catch (error) {
      bindText(status, error instanceof ApiError && error.code === 'bad_request' ? 'totp.wrongCode' : 'totp.failed');
    }
  }

  const button = h('button', { class: 'button small', msg: 'totp.title', attrs: { type: 'button', 'aria-haspopup': 'dialog' } });
  button.addEventListener('click', () => {
    showState();
    dialog.showModal();
  });
  return { button, dialog };
}
