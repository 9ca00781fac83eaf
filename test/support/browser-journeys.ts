/**
 * What people do in the app, step by step, through the same controls a person
 * uses (roles and accessible names), so the tests also prove the controls are
 * labelled.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';

const STEP_TIMEOUT_MS = 15_000;

export async function therapistSignsIn(page: Page, origin: string, email: string, password: string): Promise<void> {
  await page.goto(`${origin}/console`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** Creates a session in the console and returns the invitation links as shown (slot order). */
export async function therapistCreatesSession(page: Page, kind: 'individual' | 'couple'): Promise<string[]> {
  await page.getByLabel(kind === 'couple' ? 'Couple (two separate links)' : 'Individual', { exact: true }).check();
  const previous = await page.evaluate(() => (globalThis as any).document.querySelector('.session-panel')?.getAttribute('data-session-id') ?? null);
  await page.getByRole('button', { name: 'Create session' }).click();
  // The new session opens by itself; wait for its panel, not the one shown before.
  await page.waitForFunction(
    (before) => {
      const panel = (globalThis as any).document.querySelector('.session-panel');
      return panel !== null && panel.getAttribute('data-session-id') !== before;
    },
    previous,
    { timeout: STEP_TIMEOUT_MS },
  );
  const links = page.locator('.session-panel .invite-link input.link-text');
  await links.nth(kind === 'couple' ? 1 : 0).waitFor({ timeout: STEP_TIMEOUT_MS });
  const urls = await links.evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
  expect(urls).to.have.length(kind === 'couple' ? 2 : 1);
  for (const url of urls) expect(url).to.match(/\/join#[A-Za-z0-9_-]{22,64}$/u);
  return urls;
}

export async function clientReadsNotice(page: Page, joinUrl: string): Promise<void> {
  await page.goto(joinUrl);
  await page.getByRole('heading', { name: 'Before you join' }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** From the notice to the waiting room; the camera is turned on only when asked to. */
export async function clientChecksIn(page: Page, name: string, options: { camera: boolean }): Promise<void> {
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Check in' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  if (options.camera) {
    await page.getByRole('button', { name: 'Turn camera on' }).click();
    await page.getByRole('button', { name: 'Turn camera off' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  }
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.getByRole('heading', { name: /You are checked in/u }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

export async function openSession(page: Page, index = 0): Promise<void> {
  await page.locator('.session-item').nth(index).click();
  await page.locator('.session-panel').waitFor({ timeout: STEP_TIMEOUT_MS });
}

export async function therapistJoinsCall(page: Page, options: { camera: boolean }): Promise<void> {
  await page.getByRole('button', { name: 'Start session and join the call' }).click();
  const camera = page.getByRole('button', { name: 'Camera', exact: true });
  await camera.waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.locator('.call-screen[data-connection="connected"]').waitFor({ timeout: STEP_TIMEOUT_MS });
  if (options.camera) {
    await camera.click();
    await page.locator('.control-camera[aria-pressed="true"]').waitFor({ timeout: STEP_TIMEOUT_MS });
  }
}

/** Clicks a participant's action button; `who` is the slot label ("Client", "Partner 1"). */
export async function clickParticipantAction(page: Page, action: 'Admit' | 'Send back' | 'Mute' | 'Remove', who: string): Promise<void> {
  const names = { Admit: 'Admit', 'Send back': 'Send back', Mute: 'Mute', Remove: 'Remove' } as const;
  await page.getByRole('button', { name: new RegExp(`^${names[action]} ${who}\\b`, 'u') }).click();
}

export async function waitForCallTiles(page: Page, count: number): Promise<void> {
  await page.locator(`.tiles[data-count="${count}"]`).waitFor({ timeout: STEP_TIMEOUT_MS });
}

export async function waitForPresence(page: Page, state: string, count = 1): Promise<void> {
  await page.waitForFunction(
    ([s, n]) => (globalThis as any).document.querySelectorAll(`.participant-row[data-state="${s}"]`).length >= (n as number),
    [state, count] as const,
    { timeout: STEP_TIMEOUT_MS },
  );
}

/**
 * The verification code the call shows once it holds a key (also when encryption then fails),
 * once it covers `members` people's public keys (the code changes as people join: the code of a
 * call everyone is in is the one they compare).
 */
export async function verificationCode(page: Page, members = 2): Promise<string> {
  const code = page.locator(`.call-encryption .verification-code[data-members="${members}"]`);
  await code.waitFor({ timeout: STEP_TIMEOUT_MS });
  return code.innerText();
}
