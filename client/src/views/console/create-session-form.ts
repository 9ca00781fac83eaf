/** Create an individual or couple session: now, or at a chosen time. */
import {
  INTAKE_CUSTOM_QUESTIONS_MAX,
  INTAKE_OPTION_MAX_CHARS,
  INTAKE_OPTIONS_MAX,
  INTAKE_OPTIONS_MIN,
  INTAKE_PROMPT_MAX_CHARS,
  INTAKE_TEMPLATES,
  SESSION_DURATION_MAX_MINUTES,
  type CreateSessionBody,
  type CustomQuestion,
  type IntakeQuestionnaire,
  type IntakeTemplate,
  type SessionKind,
} from '@alcove/shared';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

export interface CreateSessionForm {
  readonly root: HTMLElement;
  error(key: MessageKey | null): void;
  busy(isBusy: boolean): void;
  /** Intake needs the sealing key: the questionnaire fields are offered only once it exists. */
  setSealing(isSetUp: boolean): void;
}

/** "Question | option | option" is a choice, anything else free text; one per line, at most ten. */
export function parseCustomQuestions(text: string): CustomQuestion[] {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, INTAKE_CUSTOM_QUESTIONS_MAX);
  return lines.map((line, i) => {
    const [first, ...rest] = line.split('|').map((part) => part.trim());
    const prompt = (first || line).slice(0, INTAKE_PROMPT_MAX_CHARS);
    const options = rest.filter(Boolean).slice(0, INTAKE_OPTIONS_MAX).map((o) => o.slice(0, INTAKE_OPTION_MAX_CHARS));
    const id = `c${i + 1}`;
    return options.length >= INTAKE_OPTIONS_MIN ? { id, kind: 'choice', prompt, options, multiple: false } : { id, kind: 'text', prompt };
  });
}

function intakeFields() {
  const select = h('select', { id: 'session-intake', attrs: { name: 'intake' } },
    h('option', { msg: 'create.intakeNone', attrs: { value: '' } }),
    ...INTAKE_TEMPLATES.map((template) => h('option', { msg: `intake.template.${template}` as MessageKey, attrs: { value: template } })));
  const custom = h('textarea', { id: 'session-intake-custom', attrs: { rows: 3, maxlength: 4000, 'aria-describedby': 'session-intake-custom-hint' } });
  const needsKey = h('p', { class: 'hint', msg: 'create.intakeNeedsKey' });
  const fields = h('div', { class: 'intake-fields' },
    h('div', { class: 'field' }, h('label', { msg: 'create.intake', attrs: { for: 'session-intake' } }), select),
    h('div', { class: 'field' },
      h('label', { msg: 'create.intakeCustom', attrs: { for: 'session-intake-custom' } }),
      h('p', { id: 'session-intake-custom-hint', class: 'hint', msg: 'create.intakeCustomHint' }),
      custom));
  const root = h('div', {}, needsKey, fields);
  const setSealing = (isSetUp: boolean) => {
    needsKey.hidden = isSetUp;
    fields.hidden = !isSetUp;
  };
  setSealing(false);
  const value = (): IntakeQuestionnaire | undefined => {
    if (fields.hidden) return undefined;
    const template = (select.value || null) as IntakeTemplate | null;
    const questions = parseCustomQuestions(custom.value);
    return template || questions.length > 0 ? { template, questions } : undefined;
  };
  return { root, setSealing, value };
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
  const intake = intakeFields();
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
      else errorBox.textContent = '';
    },
    busy(isBusy) {
      submit.disabled = isBusy;
    },
    setSealing: intake.setSealing,
  };
}
