/**
 * What clients wrote for the therapist alone, opened in the console: each private note beside the
 * person who sent it ("Private note from Kai"), each partner's intake answers separately, and a
 * plain-text file of the answers made here in the browser (a Blob, nothing sent anywhere). The
 * envelopes come from the server; the sealing key that opens them never left this browser.
 */
import {
  COMMANDS,
  intakeItems,
  openSealed,
  parseIntakeAnswers,
  type CallKeyPair,
  type IntakeAnswers,
  type IntakeItem,
  type IntakeQuestionnaire,
  type SealedItem,
} from '@alcove/shared';
import { sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { bindText } from '../../i18n/bind.ts';
import { formatTime, t, type MessageKey } from '../../i18n/translate.ts';
import { downloadFile } from '../../sealed/sealing-key-vault.ts';
import { h } from '../common/dom-builder.ts';
import { createIntakeAttachment } from './intake-attachment.ts';

export interface SealedInboxDeps {
  socket: AlcoveSocket;
  /** Attaches, replaces or takes away the session's questionnaire (the HTTP route). */
  attachIntake(intake: IntakeQuestionnaire | null): Promise<unknown>;
  sessionId: string;
  startsAt: number;
  pair(): CallKeyPair | null;
  /** "Partner 2 (Kai)", in slot order for sorting. */
  nameOf(participantId: string): { label: string; slot: number };
  say(key: MessageKey): void;
}

export interface SealedInboxView {
  readonly root: HTMLElement;
  refresh(): Promise<void>;
}

type Opened<T> = { participantId: string; at: number; content: T | null };

export function questionText(item: IntakeItem): string {
  return item.source === 'template' ? t(`intake.question.${item.id}` as MessageKey) : item.prompt;
}

export function answerText(item: IntakeItem, answer: string | string[] | undefined): string {
  if (answer === undefined) return t('inbox.noAnswer');
  if (item.kind === 'text') return String(answer);
  const chosen = Array.isArray(answer) ? answer : [answer];
  return chosen.map((c) => (item.source === 'template' ? t(`intake.option.${c}` as MessageKey) : (item.options[Number(c)] ?? ''))).join(', ');
}

export function createSealedInboxView(deps: SealedInboxDeps): SealedInboxView {
  const titleId = `inbox-title-${deps.sessionId}`;
  const body = h('div', { class: 'inbox-body' });
  let refreshing: Promise<void> = Promise.resolve();
  const attachment = createIntakeAttachment({ sessionId: deps.sessionId, attach: deps.attachIntake, changed: () => void refresh(), say: deps.say });
  const root = h('section', { class: 'sealed-inbox', attrs: { 'aria-labelledby': titleId } }, h('h3', { id: titleId, msg: 'inbox.title' }), attachment.root, body);

  async function openAll(pair: CallKeyPair, items: SealedItem[], purpose: 'note' | 'intake') {
    return Promise.all(
      items.map(async (item) => {
        try {
          const bytes = await openSealed({ sessionId: deps.sessionId, participantId: item.participantId, purpose }, item.envelope, pair);
          return { participantId: item.participantId, at: item.at, bytes };
        } catch {
          return { participantId: item.participantId, at: item.at, bytes: null };
        }
      }),
    );
  }

  const bySlot = <T extends { participantId: string }>(list: T[]) => [...list].sort((a, b) => deps.nameOf(a.participantId).slot - deps.nameOf(b.participantId).slot);

  function saveAnswers(form: IntakeQuestionnaire, answers: Opened<IntakeAnswers>[]) {
    const lines = [t('inbox.fileTitle', { time: formatTime(deps.startsAt) }), ''];
    for (const person of answers) {
      lines.push(deps.nameOf(person.participantId).label, '');
      for (const item of intakeItems(form)) lines.push(questionText(item), `  ${answerText(item, person.content?.[item.id]).replace(/\n/gu, '\n  ')}`, '');
    }
    const day = new Date(deps.startsAt).toISOString().slice(0, 10);
    downloadFile(`alcove-intake-${day}.txt`, 'text/plain;charset=utf-8', lines.join('\n'));
  }

  async function load() {
    const pair = deps.pair();
    if (!pair) {
      attachment.show(null);
      return body.replaceChildren(h('p', { class: 'hint', msg: 'inbox.noKey' }));
    }
    const inbox = await sendCommand(deps.socket, COMMANDS.listSealed, { sessionId: deps.sessionId });
    attachment.show({ intake: inbox.intake, answered: inbox.intakes.length > 0 });
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const notes: Opened<string>[] = (await openAll(pair, inbox.notes, 'note')).map((n) => ({ ...n, content: n.bytes ? decoder.decode(n.bytes) : null }));
    const form = inbox.intake;
    const answers: Opened<IntakeAnswers>[] = form ? (await openAll(pair, inbox.intakes, 'intake')).map((a) => ({ ...a, content: a.bytes ? parseIntakeAnswers(a.bytes, form) : null })) : [];
    if (notes.length === 0 && answers.length === 0) return body.replaceChildren(h('p', { class: 'hint', msg: 'inbox.empty' }));
    const parts: HTMLElement[] = [];
    for (const note of bySlot(notes)) {
      parts.push(
        h('article', { class: 'private-note', attrs: { 'data-participant-id': note.participantId } },
          h('h4', { msg: 'inbox.noteFrom', params: { who: deps.nameOf(note.participantId).label } }),
          note.content === null ? h('p', { class: 'hint', msg: 'inbox.unreadable' }) : h('p', { class: 'note-text' }, note.content),
          h('p', { class: 'hint' }, formatTime(note.at))),
      );
    }
    if (form) {
      for (const person of bySlot(answers)) {
        const list = h('dl', { class: 'intake-list' });
        if (person.content) for (const item of intakeItems(form)) list.append(h('dt', {}, questionText(item)), h('dd', {}, answerText(item, person.content[item.id])));
        parts.push(
          h('article', { class: 'intake-answers', attrs: { 'data-participant-id': person.participantId } },
            h('h4', { msg: 'inbox.answersFrom', params: { who: deps.nameOf(person.participantId).label } }),
            person.content === null ? h('p', { class: 'hint', msg: 'inbox.unreadable' }) : list),
        );
      }
      if (answers.length > 0) {
        const save = h('button', { class: 'button', msg: 'inbox.save', attrs: { type: 'button', 'data-action': 'save-intake' } });
        save.addEventListener('click', () => saveAnswers(form, bySlot(answers)));
        parts.push(h('div', { class: 'button-row' }, save), h('p', { class: 'hint', msg: 'inbox.saveHint' }));
      }
    }
    body.replaceChildren(...parts);
  }

  function refresh(): Promise<void> {
    refreshing = refreshing.then(load).catch(() => {
      bindText(body, 'sealing.failed');
    });
    return refreshing;
  }

  return { root, refresh };
}
