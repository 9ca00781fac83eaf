/** Create an individual or couple session: now, or at a chosen time. */
import { SESSION_DURATION_MAX_MINUTES, type CreateSessionBody, type SessionKind } from '@alcove/shared';
import { bindText, clearText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { createIntakeFields } from './intake-fields.ts';

export interface CreateSessionForm {
  readonly root: HTMLElement;
  error(key: MessageKey | null): void;
  busy(isBusy: boolean): void;
  /** Intake needs the sealing key: the questionnaire fields are offered only once it exists. */
  setSealing(isSetUp: boolean): void;
}

/** The intake fields, offered only once the sealing key exists (intake is sealed to it). */
function intakeChoice() {
  const fields = createIntakeFields('session');
  const needsKey = h('p', { class: 'hint', msg: 'create.intakeNeedsKey' });
  const root = h('div', {}, needsKey, fields.root);
  const setSealing = (isSetUp: boolean) => {
    needsKey.hidden = isSetUp;
    fields.root.hidden = !isSetUp;
  };
  setSealing(false);
  return { root, setSealing, value: () => (fields.root.hidden ? undefined : fields.value()) };
}

export function createSessionForm(onCreate: (body: CreateSessionBody) => void): CreateSessionForm {
  const kindRadio = (kind: SessionKind, labelKey: MessageKey, checked: boolean) => {
    const id = `kind-${kind}`;
    return h('div', { class: 'radio' },
      h('input', { id, attrs: { type: 'radio', name: 'kind', value: kind, checked } }),
      h('label', { msg: labelKey, attrs: { for: id } }));
  };
  const when = h('input', { id: 'session-starts', attrs: { type: 'datetime-local', name: 'startsAt', 'aria-describedby': 'session-starts-hint' } });
  const duration = h('input', { id: 'session-duration', attrs: { type: 'number', name: 'duration', min: 5, max: SESSION_DURATION_MAX_MINUTES, step: 5, value: 50 } });
  const intake = intakeChoice();
  const errorBox = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const submit = h('button', { class: 'button primary', msg: 'create.submit', attrs: { type: 'submit' } });
  const form = h(
    'form',
    { class: 'create-session' },
    h('fieldset', {},
      h('legend', { msg: 'create.kind' }),
      kindRadio('individual', 'create.individual', true),
      kindRadio('couple', 'create.couple', false)),
    h('div', { class: 'field' },
      h('label', { msg: 'create.startsAt', attrs: { for: 'session-starts' } }),
      h('p', { id: 'session-starts-hint', class: 'hint', msg: 'create.startsAtHint' }),
      when),
    h('div', { class: 'field' }, h('label', { msg: 'create.duration', attrs: { for: 'session-duration' } }), duration),
    intake.root,
    errorBox,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const kind = (data.get('kind') === 'couple' ? 'couple' : 'individual') as SessionKind;
    const body: CreateSessionBody = { kind, durationMinutes: Number(duration.value) || 50 };
    const questionnaire = intake.value();
    if (questionnaire) body.intake = questionnaire;
    if (when.value) {
      const startsAt = new Date(when.value).getTime();
      if (!Number.isFinite(startsAt)) {
        bindText(errorBox, 'create.badTime');
        return;
      }
      body.startsAt = startsAt;
    }
    onCreate(body);
  });
  return {
    root: h('section', { class: 'panel create-panel', attrs: { 'aria-labelledby': 'create-title' } }, h('h2', { id: 'create-title', msg: 'create.title' }), form),
    error(key) {
      if (key) bindText(errorBox, key);
      else clearText(errorBox);
    },
    busy(isBusy) {
      submit.disabled = isBusy;
    },
    setSealing: intake.setSealing,
  };
}
