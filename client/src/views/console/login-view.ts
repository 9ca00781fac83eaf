import { EMAIL_MAX_CHARS, PASSWORD_MAX_CHARS } from '@alcove/shared';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

export interface LoginView {
  readonly root: HTMLElement;
  error(key: MessageKey | null): void;
  busy(isBusy: boolean): void;
}

export function loginView(onSubmit: (email: string, password: string) => void): LoginView {
  const email = h('input', { id: 'login-email', attrs: { type: 'email', name: 'email', autocomplete: 'username', required: true, maxlength: EMAIL_MAX_CHARS } });
  const password = h('input', {
    id: 'login-password',
    attrs: { type: 'password', name: 'password', autocomplete: 'current-password', required: true, maxlength: PASSWORD_MAX_CHARS },
  });
  const errorBox = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const submit = h('button', { class: 'button primary', msg: 'login.submit', attrs: { type: 'submit' } });
  const form = h(
    'form',
    { class: 'login-form' },
    h('div', { class: 'field' }, h('label', { msg: 'login.email', attrs: { for: 'login-email' } }), email),
    h('div', { class: 'field' }, h('label', { msg: 'login.password', attrs: { for: 'login-password' } }), password),
    errorBox,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit(email.value.trim(), password.value);
  });
  return {
    root: h('section', { class: 'card login' }, h('h1', { msg: 'login.title' }), form),
    error(key) {
      if (key) bindText(errorBox, key);
      else errorBox.textContent = '';
    },
    busy(isBusy) {
      submit.disabled = isBusy;
    },
  };
}
