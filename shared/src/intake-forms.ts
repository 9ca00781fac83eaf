/**
 * Sealed intake: the questionnaire a therapist attaches to a session (a built-in template and/or
 * questions of their own) and the answers a client seals to the therapist's sealing key.
 *
 * The questionnaire is the therapist's text, not the client's, so the server keeps it in plain
 * (with the session's lifetime) and hands it to the session's clients. Template questions are ids
 * here; their words live in the browser's catalogues (English and Spanish), so each person reads
 * them in their own language. Answers never reach the server in plain: they are JSON inside a
 * sealed envelope (`sealed-box.ts`), and the console checks what it opened with `parseIntakeAnswers`
 * before showing it (a hostile client can seal anything).
 */

export const INTAKE_TEMPLATES = ['background', 'sexual-health', 'couples'] as const;
export type IntakeTemplate = (typeof INTAKE_TEMPLATES)[number];

/** Answer options of the templates' choice questions; their words are catalogue keys `intake.option.<id>`. */
export const INTAKE_OPTIONS = [
  'yes',
  'no',
  'prefer-not',
  'not-sure',
  'never',
  'sometimes',
  'often',
  'under-6-months',
  '6-to-24-months',
  'over-2-years',
  'one-partner',
  'more-partners',
  'no-partner',
  'talk-in-person',
  'calm',
  'tense',
  'heated',
  'avoid',
  'very',
  'somewhat',
  'not-at-all',
] as const;
export type IntakeOption = (typeof INTAKE_OPTIONS)[number];

/** A template's question: its words are catalogue key `intake.question.<id>`. */
export type TemplateQuestion = { id: string; kind: 'text' } | { id: string; kind: 'choice'; options: readonly IntakeOption[] };

export const INTAKE_TEMPLATE_QUESTIONS: Readonly<Record<IntakeTemplate, readonly TemplateQuestion[]>> = {
  background: [
    { id: 'bg-reason', kind: 'text' },
    { id: 'bg-goals', kind: 'text' },
    { id: 'bg-prior', kind: 'choice', options: ['yes', 'no', 'prefer-not'] },
    { id: 'bg-health', kind: 'text' },
    { id: 'bg-support', kind: 'text' },
    { id: 'bg-safety', kind: 'text' },
  ],
  'sexual-health': [
    { id: 'sh-concern', kind: 'text' },
    { id: 'sh-duration', kind: 'choice', options: ['under-6-months', '6-to-24-months', 'over-2-years', 'not-sure'] },
    { id: 'sh-orientation', kind: 'text' },
    { id: 'sh-relationship', kind: 'choice', options: ['one-partner', 'more-partners', 'no-partner', 'prefer-not'] },
    { id: 'sh-medical', kind: 'text' },
    { id: 'sh-experiences', kind: 'choice', options: ['no', 'yes', 'talk-in-person', 'prefer-not'] },
  ],
  couples: [
    { id: 'cp-story', kind: 'text' },
    { id: 'cp-hopes', kind: 'text' },
    { id: 'cp-strengths', kind: 'text' },
    { id: 'cp-conflict', kind: 'choice', options: ['calm', 'tense', 'heated', 'avoid'] },
    { id: 'cp-safety', kind: 'choice', options: ['never', 'sometimes', 'often', 'prefer-not'] },
    { id: 'cp-commitment', kind: 'choice', options: ['very', 'somewhat', 'not-sure', 'not-at-all'] },
  ],
};

/** A question of the therapist's own, in their words. Ids `c1` … `c10`. */
export type CustomQuestion = { id: string; kind: 'text'; prompt: string } | { id: string; kind: 'choice'; prompt: string; options: string[]; multiple: boolean };

export interface IntakeQuestionnaire {
  template: IntakeTemplate | null;
  questions: CustomQuestion[];
}

export const INTAKE_CUSTOM_QUESTIONS_MAX = 10;
export const INTAKE_PROMPT_MAX_CHARS = 300;
export const INTAKE_OPTION_MAX_CHARS = 80;
export const INTAKE_OPTIONS_MIN = 2;
export const INTAKE_OPTIONS_MAX = 8;
export const INTAKE_ANSWER_MAX_CHARS = 800;
export const CUSTOM_QUESTION_ID = /^c(?:[1-9]|10)$/u;

/** One question as a form shows it, template or custom alike. */
export type IntakeItem =
  | { id: string; kind: 'text'; source: 'template' }
  | { id: string; kind: 'choice'; source: 'template'; options: readonly IntakeOption[] }
  | { id: string; kind: 'text'; source: 'custom'; prompt: string }
  | { id: string; kind: 'choice'; source: 'custom'; prompt: string; options: string[]; multiple: boolean };

export function intakeItems(form: IntakeQuestionnaire): IntakeItem[] {
  const template: IntakeItem[] = (form.template ? INTAKE_TEMPLATE_QUESTIONS[form.template] : []).map((q) =>
    q.kind === 'text' ? { id: q.id, kind: 'text', source: 'template' } : { id: q.id, kind: 'choice', source: 'template', options: q.options },
  );
  const custom: IntakeItem[] = form.questions.map((q) =>
    q.kind === 'text' ? { id: q.id, kind: 'text', source: 'custom', prompt: q.prompt } : { id: q.id, kind: 'choice', source: 'custom', prompt: q.prompt, options: q.options, multiple: q.multiple },
  );
  return [...template, ...custom];
}

/** Answers by question id: text, or the chosen option(s) (template option ids; a custom question's option indexes as strings). Unanswered questions are absent. */
export type IntakeAnswers = Record<string, string | string[]>;

const INTAKE_ANSWERS_VERSION = 1;

export function encodeIntakeAnswers(answers: IntakeAnswers): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: INTAKE_ANSWERS_VERSION, answers }));
}

/** Opened answers, kept only where they fit the questionnaire; null when they are not answers at all. */
export function parseIntakeAnswers(bytes: Uint8Array, form: IntakeQuestionnaire): IntakeAnswers | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  const body = parsed as { v?: unknown; answers?: unknown } | null;
  if (!body || typeof body !== 'object' || body.v !== INTAKE_ANSWERS_VERSION || !body.answers || typeof body.answers !== 'object' || Array.isArray(body.answers)) return null;
  const given = body.answers as Record<string, unknown>;
  const answers: IntakeAnswers = {};
  for (const item of intakeItems(form)) {
    if (!Object.hasOwn(given, item.id)) continue;
    const value = given[item.id];
    if (item.kind === 'text') {
      if (typeof value === 'string' && value.length <= INTAKE_ANSWER_MAX_CHARS && value.trim() !== '') answers[item.id] = value;
      continue;
    }
    const allowed = item.source === 'template' ? (item.options as readonly string[]) : item.options.map((_o, i) => String(i));
    const multiple = item.source === 'custom' && item.multiple;
    const chosen = Array.isArray(value) ? value : [value];
    if (chosen.length === 0 || (!multiple && chosen.length > 1)) continue;
    if (chosen.every((c): c is string => typeof c === 'string' && allowed.includes(c)) && new Set(chosen).size === chosen.length) answers[item.id] = chosen;
  }
  return answers;
}
