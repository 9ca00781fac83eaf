import type { z } from 'zod';
import { AppError } from '../../app-error.ts';

const MAX_REPORTED_ISSUES = 3;

/** A safe, short description of what was wrong: field paths and rule names, never the values sent. */
function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const path = issue.path.map((p) => String(p).slice(0, 40)).join('.') || 'body';
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''}`;
    return `${path}: ${issue.message.slice(0, 120)}`;
  });
  return `Invalid request — ${parts.join('; ')}.`;
}

/** Validates untrusted input at the edge; the domain only ever sees the parsed result. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw AppError.badRequest(describeIssues(result.error));
  return result.data;
}
