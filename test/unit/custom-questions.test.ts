import { expect } from 'chai';
import { INTAKE_CUSTOM_QUESTIONS_MAX, INTAKE_PROMPT_MAX_CHARS, intakeQuestionnaireSchema } from '@alcove/shared';
import { parseCustomQuestions } from '../../client/src/views/console/custom-questions.ts';

describe('the therapist’s own intake questions, as typed in the console', () => {
  it('reads one question per line: a bar makes a choice, anything else free text', () => {
    expect(parseCustomQuestions('What should I call you?\n\n  How did you find us? | A friend | Online  \n')).to.deep.equal([
      { id: 'c1', kind: 'text', prompt: 'What should I call you?' },
      { id: 'c2', kind: 'choice', prompt: 'How did you find us?', options: ['A friend', 'Online'], multiple: false },
    ]);
  });

  it('keeps a question with a single option as free text, and caps count and length', () => {
    expect(parseCustomQuestions('Anything else? | Yes')).to.deep.equal([{ id: 'c1', kind: 'text', prompt: 'Anything else?' }]);
    const many = Array.from({ length: INTAKE_CUSTOM_QUESTIONS_MAX + 3 }, (_, i) => `Question ${i} ${'x'.repeat(INTAKE_PROMPT_MAX_CHARS)}`).join('\n');
    const parsed = parseCustomQuestions(many);
    expect(parsed).to.have.length(INTAKE_CUSTOM_QUESTIONS_MAX);
    for (const question of parsed) expect(question.prompt.length).to.be.at.most(INTAKE_PROMPT_MAX_CHARS);
  });

  it('always gives what the server’s schema accepts', () => {
    const typed = 'Q1\nQ2 | a | b | c\n| only | options\nQ4 |  | b';
    expect(intakeQuestionnaireSchema.safeParse({ template: null, questions: parseCustomQuestions(typed) }).success).to.equal(true);
  });
});
