/**
 * Everything an end-to-end test needs: the whole app serving the built client
 * (rebuilt first if its sources are newer), a therapist account, and Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from './test-app.ts';
import { launchBrowser, newPerson, type E2eBrowser, type Person } from './browser.ts';

const CLIENT_DIR = fileURLToPath(new URL('../../client/', import.meta.url));
export const CLIENT_DIST = join(CLIENT_DIR, 'dist');

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let built = false;
/** Builds client/dist when it is missing or older than client/src (once per run). Fails loudly. */
export function ensureClientBuilt(): void {
  if (built) return;
  const index = join(CLIENT_DIST, 'index.html');
  const sources = Math.max(newestMtimeMs(join(CLIENT_DIR, 'src')), statSync(join(CLIENT_DIR, 'index.html')).mtimeMs);
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    const result = spawnSync('npm', ['run', 'build', '--workspace', '@alcove/client'], { cwd: join(CLIENT_DIR, '..'), encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`client build failed:\n${result.stdout}\n${result.stderr}`);
  }
  built = true;
}

export interface E2eStack {
  t: TestApp;
  browser: E2eBrowser;
  therapist: { email: string; password: string; displayName: string };
  close(): Promise<void>;
}

export async function startE2eStack(options: { env?: Record<string, string> } = {}): Promise<E2eStack> {
  ensureClientBuilt();
  // Any unencrypted track is evicted by the server: media that flows in these tests is end-to-end encrypted.
  const t = await startTestApp({ staticRoot: CLIENT_DIST, env: { ...options.env } });
  let browser: E2eBrowser;
  let account: Awaited<ReturnType<TestApp['addTherapist']>>;
  try {
    account = await t.addTherapist('Dr. Robin Example');
    browser = await launchBrowser();
  } catch (error) {
    await t.close();
    throw error;
  }
  return {
    t,
    browser,
    therapist: account,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

export interface TherapistAndClient {
  stack: E2eStack;
  therapist: Person;
  client: Person;
}

/** Mocha fixture: the stack plus a therapist and a client, each in their own browser context. */
export function useTherapistAndClient(options: { therapistNotifications?: boolean } = {}): TherapistAndClient {
  const people = {} as TherapistAndClient;
  before(async function () {
    this.timeout(90_000);
    people.stack = await startE2eStack();
    people.therapist = await newPerson(people.stack.browser, { origin: people.stack.t.origin, notifications: options.therapistNotifications ?? false });
    people.client = await newPerson(people.stack.browser, { origin: people.stack.t.origin });
  });
  after(async () => {
    await people.therapist?.close();
    await people.client?.close();
    await people.stack?.close();
  });
  return people;
}
