/**
 * `alcove doctor [--config-dir /etc/alcove] [--json]`: checks a running deployment and says what is
 * wrong in plain words. Exit 0 when nothing failed (warnings allowed), 1 otherwise.
 */
import { parseArgs } from 'node:util';
import type { CheckResult } from './facts.ts';
import { DOCTOR_CHECKS } from './checks.ts';
import { gatherFacts } from './gather-facts.ts';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export function formatReport(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${MARK[r.status]}  ${r.check.padEnd(18)} ${r.message}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push('', failed === 0 ? `All checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}.` : `${failed} problem${failed > 1 ? 's' : ''} to fix.`);
  return lines.join('\n') + '\n';
}

export async function runDoctorCommand(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'config-dir': { type: 'string', default: '/etc/alcove' }, json: { type: 'boolean', default: false } } });
  const facts = await gatherFacts(values['config-dir']);
  const results = DOCTOR_CHECKS.flatMap((check) => check(facts));
  write(values.json ? JSON.stringify(results) + '\n' : formatReport(results));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
