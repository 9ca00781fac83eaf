import { EMAIL_MAX_CHARS, PASSWORD_MAX_CHARS } from '@alcove/shared';
import { bindText, clearText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

export type SecondFactor = { totpCode: string } | { recoveryCode: string };

export interface LoginView {
  readonly root: HTMLElement;
  error(key: MessageKey | null): void;
  busy(isBusy: boolean): void;
  /** The account has two-factor authentication: ask for a code as well. */
  askForCode(): void;
}

/** A 6-digit authenticator code, or else a recovery code (xxxxx-xxxxx). */
export function secondFactorOf(input: string): SecondFactor | null {
  const value = input.replace(/\s+/gu, '');
  if (/^\d{6}$/u.test(value)) return { totpCode: value };
  if (/^[a-z2-7]{5}-?[a-z2-7]{5}$/iu.test(value)) return { recoveryCode: value.toLowerCase() };
  return null;
}

export function loginView(notice: MessageKey | null, onSubmit: (email: string, password: string, second: SecondFactor | null) => void): LoginView {
  const email = h('input', { id: 'login-email', attrs: { type: 'email', name: 'email', autocomplete: 'username', required: true, maxlength: EMAIL_MAX_CHARS } });
  const password = h('input', {
    id: 'login-password',
    attrs: { type: 'password', name: 'password', autocomplete: 'current-password', required: true, maxlength: PASSWORD_MAX_CHARS },
  });
  const code = h('input', {
    id: 'login-code',
    attrs: { type: 'text', name: 'code', autocomplete: 'one-time-code', inputmode: 'text', maxlength: 20, spellcheck: 'false', 'aria-describedby': 'login-code-hint' },
  });
  const codeField = h('div', { class: 'field', attrs: { hidden: true } },
    h('label', { msg: 'login.code', attrs: { for: 'login-code' } }),
    h('p', { id: 'login-code-hint', class: 'hint', msg: 'login.codeHint' }),
    code);
  const errorBox = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const submit = h('button', { class: 'button primary', msg: 'login.submit', attrs: { type: 'submit' } });
  const form = h(
    'form',
    { class: 'login-form' },
    h('div', { class: 'field' }, h('label', { msg: 'login.email', attrs: { for: 'login-email' } }), email),
    h('div', { class: 'field' }, h('label', { msg: 'login.password', attrs: { for: 'login-password' } }), password),
    codeField,
    errorBox,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let second: SecondFactor | null = null;
    if (!codeField.hidden) {
      second = secondFactorOf(code.value);
      if (!second) {
        bindText(errorBox, 'login.codeInvalid');
        code.focus();
        return;
      }
    }
    onSubmit(email.value.trim(), password.value, second);
  });
  return {
    root: h('section', { class: 'card login' },
      h('h1', { msg: 'login.title' }),
      notice ? h('p', { class: 'panel-notice', attrs: { role: 'status' }, msg: notice }) : null,
      form),
    error(key) {
      if (key) bindText(errorBox, key);
      else clearText(errorBox);
    },
    busy(isBusy) {
      submit.disabled = isBusy;
    },
    askForCode() {
      codeField.hidden = false;
      code.value = '';
      code.focus();
    },
  };
}
