/**
 * In the waiting room, what a client may write for the therapist alone: one short private note
 * (replaceable, never a second one) and the session's intake questionnaire, every question
 * optional. Both are sealed here, in this browser, to the therapist's sealing public key before
 * they are sent; nothing written is kept in the page's storage. Offered only when the therapist
 * has a sealing key; the other partner's page never hears of either.
 */
import {
  COMMANDS,
  FACTS,
  INTAKE_ANSWER_MAX_CHARS,
  PRIVATE_NOTE_MAX_CHARS,
  encodeIntakeAnswers,
  intakeItems,
  sealForTherapist,
  sealedContentMaxBytes,
  type IntakeAnswers,
  type IntakeItem,
  type SealedFormsResult,
  type SealedPurpose,
} from '@alcove/shared';
import { CommandError, sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { bindText } from '../../i18n/bind.ts';
import { formatTime, type MessageKey } from '../../i18n/translate.ts';
import { h, uniqueId } from '../common/dom-builder.ts';

export interface SealedForms {
  readonly root: HTMLElement;
  destroy(): void;
}

async function sealAndSend(socket: AlcoveSocket, forms: () => Promise<SealedFormsResult>, purpose: SealedPurpose, content: Uint8Array): Promise<number> {
  // Sealed to the key the server names now; if the therapist replaced it meanwhile, once more to the new one.
  for (let attempt = 0; ; attempt += 1) {
    const current = await forms();
    if (!current.sealingKey) throw new Error('no sealing key');
    const envelope = await sealForTherapist({ sessionId: current.sessionId, participantId: current.participantId, purpose }, current.sealingKey, content);
    try {
      if (purpose === 'note') return (await sendCommand(socket, COMMANDS.sendPrivateNote, { envelope: envelope as never })).sentAt;
      return (await sendCommand(socket, COMMANDS.submitIntake, { envelope: envelope as never })).submittedAt;
    } catch (error) {
      const reason = error instanceof CommandError ? (error.body as { details?: { reason?: string } }).details?.reason : undefined;
      if (reason !== 'sealing-key-changed' || attempt > 0) throw error;
    }
  }
}

function noteForm(socket: AlcoveSocket, forms: () => Promise<SealedFormsResult>, sentAt: number | null): HTMLElement {
  const id = uniqueId('private-note');
  const text = h('textarea', { id, attrs: { rows: 3, maxlength: PRIVATE_NOTE_MAX_CHARS, 'aria-describedby': `${id}-hint` } });
  const status = h('p', { class: 'sealed-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const send = h('button', { class: 'button primary', msg: sentAt ? 'note.replace' : 'note.send', attrs: { type: 'submit' } });
  if (sentAt) bindText(status, 'note.sent', { time: formatTime(sentAt) });
  const form = h('form', { class: 'private-note-form' },
    h('h2', { msg: 'note.title' }),
    h('label', { msg: 'note.label', attrs: { for: id } }),
    h('p', { id: `${id}-hint`, class: 'hint', msg: 'note.hint' }),
    text, status, send);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) return bindText(status, 'note.empty');
    send.disabled = true;
    bindText(status, 'note.sending');
    try {
      const at = await sealAndSend(socket, forms, 'note', new TextEncoder().encode(value.slice(0, PRIVATE_NOTE_MAX_CHARS)));
      text.value = '';
      bindText(status, 'note.sent', { time: formatTime(at) });
      bindText(send, 'note.replace');
    } catch {
      bindText(status, 'note.failed');
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

/** The question's words: a template's from the catalogue (so they follow the language switch), the therapist's as typed. */
function prompt<K extends 'label' | 'legend'>(tag: K, item: IntakeItem, attrs: Record<string, string> = {}) {
  return item.source === 'template' ? h(tag, { msg: `intake.question.${item.id}` as MessageKey, attrs }) : h(tag, { attrs }, item.prompt);
}

function questionField(item: IntakeItem): { root: HTMLElement; value(): string | string[] | undefined } {
  const id = uniqueId(`intake-${item.id}`);
  if (item.kind === 'text') {
    const input = h('textarea', { id, attrs: { rows: 2, maxlength: INTAKE_ANSWER_MAX_CHARS } });
    const label = prompt('label', item, { for: id });
    return { root: h('div', { class: 'field' }, label, input), value: () => input.value.trim() || undefined };
  }
  const multiple = item.source === 'custom' && item.multiple;
  const values = item.source === 'template' ? [...item.options] : item.options.map((_o, i) => String(i));
  const inputs = values.map((value, i) => {
    const optionId = `${id}-${i}`;
    const input = h('input', { id: optionId, attrs: { type: multiple ? 'checkbox' : 'radio', name: id, value } });
    const label = item.source === 'template' ? h('label', { msg: `intake.option.${value}` as MessageKey, attrs: { for: optionId } }) : h('label', { attrs: { for: optionId } }, item.options[i] ?? '');
    return { input, root: h('div', { class: 'radio' }, input, label) };
  });
  const legend = prompt('legend', item);
  return {
    root: h('fieldset', { class: 'intake-choice' }, legend, multiple ? h('p', { class: 'hint', msg: 'intake.choose' }) : null, ...inputs.map((i) => i.root)),
    value: () => {
      const chosen = inputs.filter((i) => i.input.checked).map((i) => i.input.value);
      return chosen.length === 0 ? undefined : chosen;
    },
  };
}

function intakeForm(socket: AlcoveSocket, forms: () => Promise<SealedFormsResult>, current: SealedFormsResult): HTMLElement | null {
  const questionnaire = current.intake;
  if (!questionnaire) return null;
  const fields = intakeItems(questionnaire).map(questionField);
  const status = h('p', { class: 'sealed-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  if (current.intakeSubmittedAt) bindText(status, 'intake.sent', { time: formatTime(current.intakeSubmittedAt) });
  const send = h('button', { class: 'button primary', msg: 'intake.submit', attrs: { type: 'submit' } });
  const form = h('form', { class: 'intake-form' }, ...fields.map((f) => f.root), status, send);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answers: IntakeAnswers = {};
    intakeItems(questionnaire).forEach((item, i) => {
      const value = fields[i]!.value();
      if (value !== undefined) answers[item.id] = value;
    });
    const content = encodeIntakeAnswers(answers);
    if (content.length > sealedContentMaxBytes('intake')) return bindText(status, 'intake.tooLong');
    send.disabled = true;
    bindText(status, 'intake.sending');
    try {
      bindText(status, 'intake.sent', { time: formatTime(await sealAndSend(socket, forms, 'intake', content)) });
    } catch {
      bindText(status, 'intake.failed');
    } finally {
      send.disabled = false;
    }
  });
  // Open at first; once answered it folds away, the answers still there to change.
  const details = h('details', { class: 'intake-details', attrs: { open: current.intakeSubmittedAt === null } }, h('summary', { msg: 'intake.open' }), form);
  return h('section', { class: 'intake-section', attrs: { 'aria-labelledby': 'intake-title' } },
    h('h2', { id: 'intake-title', msg: 'intake.title' }),
    h('p', { class: 'hint', msg: 'intake.hint' }),
    details);
}

export function createSealedForms(socket: AlcoveSocket): SealedForms {
  const root = h('div', { class: 'sealed-forms' });
  const describe = () => sendCommand(socket, COMMANDS.describeSealedForms, {});
  async function render() {
    let current: SealedFormsResult;
    try {
      current = await describe();
    } catch {
      return; // not checked in (yet) or the session ended: nothing to offer
    }
    if (!current.sealingKey) return root.replaceChildren();
    const intake = intakeForm(socket, describe, current);
    // The intake first: it is asked for; the note is the client's own choice.
    root.replaceChildren(...[intake, noteForm(socket, describe, current.noteSentAt)].filter((x): x is HTMLElement => x !== null));
  }
  const onChanged = () => void render();
  socket.on(FACTS.intakeChanged, onChanged);
  void render();
  return { root, destroy: () => socket.off(FACTS.intakeChanged, onChanged) };
}
