/** Runs the operator CLI (server/src/cli.ts) as the operator would, against the test Redis. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_REDIS_URL } from './stack-hooks.ts';

const CLI = fileURLToPath(new URL('../../server/src/cli.ts', import.meta.url));

export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ALCOVE_PROFILE: 'local', REDIS_URL: TEST_REDIS_URL, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
