/** The therapist's own intake questions, typed as plain lines in the console (pure: unit tested in Node). */
import {
  INTAKE_CUSTOM_QUESTIONS_MAX,
  INTAKE_OPTION_MAX_CHARS,
  INTAKE_OPTIONS_MAX,
  INTAKE_OPTIONS_MIN,
  INTAKE_PROMPT_MAX_CHARS,
  type CustomQuestion,
} from '@alcove/shared';

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
