/**
 * The steps of browser-journeys.ts for a person in Firefox (puppeteer-core),
 * found the same way: by role and accessible name, here through Firefox's own
 * accessibility tree (WebDriver BiDi `locateNodes`), so the controls are proven
 * labelled in Firefox too. Names are exact: puppeteer has no regular-expression
 * or substring match for accessible names.
 */
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { eventually } from './eventually.ts';

const STEP_TIMEOUT_MS = 15_000;

/** The element with this role and exact accessible name. */
export function byRole(page: Page, role: string, name: string) {
  return page.locator(`::-p-aria([name=${JSON.stringify(name)}][role=${JSON.stringify(role)}])`).setTimeout(STEP_TIMEOUT_MS);
}

/**
 * Types into the form field labelled `label`, replacing what was there. Firefox's tree gives
 * the <label> the same name as its field, and a password field has no ARIA role to ask for,
 * so of the elements with that name the form control is taken.
 */
async function fillField(page: Page, label: string, value: string): Promise<void> {
  const control = await eventually(async () => {
    for (const handle of await page.$$(`::-p-aria([name=${JSON.stringify(label)}])`)) {
      if (await handle.evaluate((el) => (el as unknown as { matches(selector: string): boolean }).matches('input, textarea, select'))) return handle;
    }
    return null;
  }, `a field labelled “${label}”`, STEP_TIMEOUT_MS);
  await control.focus();
  await control.evaluate((el) => (el as unknown as { select(): void }).select());
  await page.keyboard.type(value);
}

export async function waitForSelector(page: Page, selector: string, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  await page.waitForSelector(selector, { timeout: timeoutMs });
}

export async function clientReadsNotice(page: Page, joinUrl: string): Promise<void> {
  await page.goto(joinUrl);
  await byRole(page, 'heading', 'Before you join').wait();
}

/** From the notice to the device check (camera off, microphone open for the meter). */
export async function clientOpensCheckIn(page: Page): Promise<void> {
  await byRole(page, 'button', 'Continue').click();
  await byRole(page, 'heading', 'Check in').wait();
}

export async function clientSubmitsCheckIn(page: Page, name: string): Promise<void> {
  await fillField(page, 'Your name', name);
  await byRole(page, 'button', 'Check in').click();
  await byRole(page, 'heading', `Thank you, ${name}. You are checked in.`).wait();
}

export async function therapistSignsIn(page: Page, origin: string, email: string, password: string): Promise<void> {
  await page.goto(`${origin}/console`);
  await fillField(page, 'Email', email);
  await fillField(page, 'Password', password);
  await byRole(page, 'button', 'Sign in').click();
  await byRole(page, 'heading', 'Sessions').wait();
}

/** Creates a session in the console and returns the invitation links as shown (slot order). */
export async function therapistCreatesSession(page: Page, kind: 'individual' | 'couple'): Promise<string[]> {
  await byRole(page, 'radio', kind === 'couple' ? 'Couple (two separate links)' : 'Individual').click();
  const previous = await page.evaluate(() => (globalThis as any).document.querySelector('.session-panel')?.getAttribute('data-session-id') ?? null);
  await byRole(page, 'button', 'Create session').click();
  // The new session opens by itself; wait for its panel and links, not the ones shown before.
  const expected = kind === 'couple' ? 2 : 1;
  await page.waitForFunction(
    (before: string | null, count: number) => {
      const panel = (globalThis as any).document.querySelector('.session-panel');
      return panel !== null && panel.getAttribute('data-session-id') !== before && panel.querySelectorAll('.invite-link input.link-text').length === count;
    },
    { timeout: STEP_TIMEOUT_MS },
    previous,
    expected,
  );
  const urls = await page.$$eval('.session-panel .invite-link input.link-text', (inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
  expect(urls).to.have.length(expected);
  for (const url of urls) expect(url).to.match(/\/join#[A-Za-z0-9_-]{22,64}$/u);
  return urls;
}

export async function openSession(page: Page, index = 0): Promise<void> {
  await page.waitForSelector('.session-item', { timeout: STEP_TIMEOUT_MS });
  await (await page.$$('.session-item'))[index]!.click();
  await waitForSelector(page, '.session-panel');
}

export async function therapistJoinsCall(page: Page, options: { camera: boolean }): Promise<void> {
  await byRole(page, 'button', 'Start session and join the call').click();
  await waitForSelector(page, '.call-screen[data-connection="connected"]');
  if (options.camera) {
    await byRole(page, 'button', 'Camera').click();
    await waitForSelector(page, '.control-camera[aria-pressed="true"]');
  }
}

/** Clicks a participant's action button; `who` is the row's full label ("Client (Alex)", "Partner 1 (Sam)"). */
export async function clickParticipantAction(page: Page, action: 'Admit' | 'Send back' | 'Mute' | 'Remove', who: string): Promise<void> {
  const name = action === 'Send back' ? `Send back ${who} to the waiting room` : `${action} ${who}`;
  await byRole(page, 'button', name).click();
}

export async function waitForCallTiles(page: Page, count: number): Promise<void> {
  await waitForSelector(page, `.tiles[data-count="${count}"]`);
}

export async function waitForPresence(page: Page, state: string, count = 1): Promise<void> {
  await page.waitForFunction(
    (s: string, n: number) => (globalThis as any).document.querySelectorAll(`.participant-row[data-state="${s}"]`).length >= n,
    { timeout: STEP_TIMEOUT_MS },
    state,
    count,
  );
}

/** The verification code the call shows once it holds a key and covers `members` people's public keys. */
export async function verificationCode(page: Page, members = 2): Promise<string> {
  const code = await page.waitForSelector(`.call-encryption .verification-code[data-members="${members}"]`, { timeout: STEP_TIMEOUT_MS });
  return code!.evaluate((el) => (el as unknown as { textContent: string }).textContent.trim());
}
