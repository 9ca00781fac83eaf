/** Check in: the device check and the connection check, then a display name validated exactly as the server does. */
import { DISPLAY_NAME_MAX_CHARS, normaliseDisplayName } from '@alcove/shared';
import type { ConnectionCheck } from '../../call/connection-check.ts';
import type { LocalPreview } from '../../call/local-preview.ts';
import { bindText, clearText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { connectionCheckView } from './connection-check-view.ts';
import { createDevicePanel } from './device-panel.ts';

export interface CheckInView {
  readonly root: HTMLElement;
  busy(isBusy: boolean): void;
  error(key: MessageKey | null): void;
  destroy(): void;
}

export function checkInView(preview: LocalPreview, initialName: string | null, onCheckIn: (displayName: string) => void, check: ConnectionCheck): CheckInView {
  const panel = createDevicePanel(preview);
  const connection = connectionCheckView(check);
  const input = h('input', {
    id: 'display-name',
    attrs: {
      type: 'text',
      name: 'displayName',
      autocomplete: 'nickname',
      maxlength: DISPLAY_NAME_MAX_CHARS * 2,
      required: true,
      'aria-describedby': 'display-name-hint display-name-error',
      spellcheck: 'false',
    },
  });
  input.value = initialName ?? '';
  const errorText = h('p', { id: 'display-name-error', class: 'field-error', attrs: { 'aria-live': 'assertive' } });
  const submit = h('button', { class: 'button primary', msg: 'checkIn.submit', attrs: { type: 'submit' } });
  const formError = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const form = h(
    'form',
    { class: 'check-in-form', attrs: { novalidate: true } },
    h('div', { class: 'field' },
      h('label', { msg: 'checkIn.nameLabel', attrs: { for: 'display-name' } }),
      h('p', { id: 'display-name-hint', class: 'hint', msg: 'checkIn.nameHint', params: { max: DISPLAY_NAME_MAX_CHARS } }),
      input,
      errorText,
    ),
    formError,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = normaliseDisplayName(input.value);
    if (name === null) {
      input.setAttribute('aria-invalid', 'true');
      bindText(errorText, input.value.trim() === '' ? 'checkIn.nameMissing' : 'checkIn.nameInvalid', { max: DISPLAY_NAME_MAX_CHARS });
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    clearText(errorText);
    onCheckIn(name);
  });

  const root = h('section', { class: 'card check-in' }, h('h1', { msg: 'checkIn.title' }), h('p', { msg: 'checkIn.intro' }), panel.root, connection.root, form);
  return {
    root,
    busy(isBusy) {
      submit.disabled = isBusy;
      if (isBusy) bindText(submit, 'checkIn.submitting');
      else bindText(submit, 'checkIn.submit');
    },
    error(key) {
      if (key) bindText(formError, key);
      else clearText(formError);
    },
    destroy: () => {
      panel.destroy();
      connection.destroy();
    },
  };
}
