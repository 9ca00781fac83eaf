import { AppError } from './app-error.ts';

/**
 * What the operator CLI says about an error. The domain throws codes with details; the API
 * answers with the one table in app-error.ts; an operator at a terminal is told the specific
 * reason, in words, by this table.
 */
const BY_REASON: Readonly<Record<string, (details: Readonly<Record<string, string | number | boolean>>) => string>> = {
  'passwords-differ': () => 'The passwords do not match.',
  'password-length': (d) => `The password must be ${d.minChars}–${d.maxChars} characters.`,
  'invalid-email': () => 'The email is not valid.',
  'invalid-display-name': () => 'The display name must be 1–40 characters without control characters.',
  'no-therapist': () => 'No therapist has that email.',
  'email-taken': () => 'A therapist with that email already exists.',
  'email-required': () => '--email is required.',
  'name-required': () => '--name is required.',
  'since-date': () => '--since must be an ISO-8601 date.',
};

export function describeForOperator(error: AppError): string {
  const reason = error.details?.reason;
  const describe = typeof reason === 'string' ? BY_REASON[reason] : undefined;
  return describe ? describe(error.details ?? {}) : error.message;
}
