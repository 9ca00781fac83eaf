/**
 * The questionnaire fields a therapist fills in to attach intake to a session: a built-in template
 * and questions of their own. Used when creating a session and, later, beside a session's inbox;
 * each use has its own element ids.
 */
import { INTAKE_TEMPLATES, type IntakeQuestionnaire, type IntakeTemplate } from '@alcove/shared';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { parseCustomQuestions } from './custom-questions.ts';

export interface IntakeFields {
  readonly root: HTMLElement;
  /** The questionnaire chosen, or nothing when neither a template nor a question was given. */
  value(): IntakeQuestionnaire | undefined;
  clear(): void;
}

export function createIntakeFields(idPrefix: string): IntakeFields {
  const selectId = `${idPrefix}-intake`;
  const customId = `${idPrefix}-intake-custom`;
  const select = h('select', { id: selectId, attrs: { name: 'intake' } },
    h('option', { msg: 'create.intakeNone', attrs: { value: '' } }),
    ...INTAKE_TEMPLATES.map((template) => h('option', { msg: `intake.template.${template}` as MessageKey, attrs: { value: template } })));
  const custom = h('textarea', { id: customId, attrs: { rows: 3, maxlength: 4000, 'aria-describedby': `${customId}-hint` } });
  const root = h('div', { class: 'intake-fields' },
    h('div', { class: 'field' }, h('label', { msg: 'create.intake', attrs: { for: selectId } }), select),
    h('div', { class: 'field' },
      h('label', { msg: 'create.intakeCustom', attrs: { for: customId } }),
      h('p', { id: `${customId}-hint`, class: 'hint', msg: 'create.intakeCustomHint' }),
      custom));
  return {
    root,
    value() {
      const template = (select.value || null) as IntakeTemplate | null;
      const questions = parseCustomQuestions(custom.value);
      return template || questions.length > 0 ? { template, questions } : undefined;
    },
    clear() {
      select.value = '';
      custom.value = '';
    },
  };
}
