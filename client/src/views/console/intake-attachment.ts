/**
 * The session's questionnaire, beside its inbox: which one the clients are asked to fill in, a way
 * to attach one to a session made without it (or planned before the sealing key existed), and a
 * way to take it away — until someone has answered, when it can no longer change (the server
 * says so too: `409 intake-answered`). The fields keep what the therapist typed across the
 * inbox's refreshes: this element is updated, never rebuilt.
 */
import type { IntakeQuestionnaire } from '@alcove/shared';
import { ApiError } from '../../api/http-client.ts';
import { bindText, clearText } from '../../i18n/bind.ts';
import { t, type MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { createIntakeFields } from './intake-fields.ts';

export interface IntakeAttachmentDeps {
  sessionId: string;
  attach(intake: IntakeQuestionnaire | null): Promise<unknown>;
  /** After a change: the inbox reads the session's questionnaire again. */
  changed(): void;
  say(key: MessageKey): void;
}

export interface IntakeAttachment {
  readonly root: HTMLElement;
  /** What the server holds now, and whether anyone sent answers; null hides it (this browser lacks the sealing key). */
  show(state: { intake: IntakeQuestionnaire | null; answered: boolean } | null): void;
}

export function describeIntake(intake: IntakeQuestionnaire): string {
  const parts: string[] = [];
  if (intake.template) parts.push(t(`intake.template.${intake.template}` as MessageKey));
  if (intake.questions.length > 0) parts.push(t('inbox.intakeOwnQuestions', { count: String(intake.questions.length) }));
  return parts.join(' + ');
}

function errorKey(error: unknown): MessageKey {
  const reason = error instanceof ApiError ? (error.details as { reason?: string } | undefined)?.reason : undefined;
  if (reason === 'intake-answered') return 'inbox.intakeAnswered';
  if (reason === 'no-sealing-key') return 'create.intakeNeedsKey';
  return 'inbox.intakeFailed';
}

export function createIntakeAttachment(deps: IntakeAttachmentDeps): IntakeAttachment {
  const fields = createIntakeFields(`attach-${deps.sessionId}`);
  const summary = h('p', { class: 'intake-summary' });
  const errorBox = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const attachButton = h('button', { class: 'button', msg: 'inbox.intakeAttach', attrs: { type: 'submit' } });
  const removeButton = h('button', { class: 'button', msg: 'inbox.intakeRemove', attrs: { type: 'button', 'data-action': 'remove-intake' } });
  const form = h('form', { class: 'intake-attach' }, fields.root, h('div', { class: 'button-row' }, attachButton));
  const root = h('div', { class: 'intake-attachment' }, summary, h('div', { class: 'button-row' }, removeButton), form, errorBox);

  async function change(intake: IntakeQuestionnaire | null) {
    attachButton.disabled = removeButton.disabled = true;
    clearText(errorBox);
    try {
      await deps.attach(intake);
      if (intake) fields.clear();
      deps.say(intake ? 'inbox.intakeAttached' : 'inbox.intakeRemoved');
    } catch (error) {
      bindText(errorBox, errorKey(error));
    } finally {
      attachButton.disabled = removeButton.disabled = false;
      deps.changed();
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const intake = fields.value();
    if (!intake) return bindText(errorBox, 'inbox.intakeChooseFirst');
    void change(intake);
  });
  removeButton.addEventListener('click', () => void change(null));

  return {
    root,
    show(state) {
      root.hidden = state === null;
      if (!state) return;
      const { intake, answered } = state;
      if (intake) bindText(summary, 'inbox.intakeIs', { what: describeIntake(intake) });
      else bindText(summary, 'inbox.intakeNone');
      removeButton.hidden = !intake || answered;
      form.hidden = Boolean(intake) || answered;
    },
  };
}
