import type { z } from 'zod';
import { AppError } from '../../app-error.ts';

const MAX_PATH_PART_CHARS = 40;

/** What was wrong, safe and machine-readable: the first field's path and the rule it broke, never the value sent. */
function describeIssues(error: z.ZodError): { field: string; issue: string; issues: number } {
  const first = error.issues[0];
  const field = first?.path.map((p) => String(p).slice(0, MAX_PATH_PART_CHARS)).join('.') || 'body';
  return { field, issue: first?.code ?? 'invalid', issues: error.issues.length };
}

/** Validates untrusted input at the edge; the domain only ever sees the parsed result. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw AppError.badRequest(describeIssues(result.error));
  return result.data;
}
