/** The pre-call connection check as a person sees it (check-in) and as the therapist sees it (console). */
import type { Page } from 'playwright-core';

export interface ConnectionCheckSeen {
  verdict: string;
  text: string;
  durationMs: number;
}

/** Waits until check-in shows the check's verdict, and returns it with its words and duration. */
export async function connectionCheckResult(page: Page, timeoutMs = 20_000): Promise<ConnectionCheckSeen> {
  const done = page.locator('.connection-check[data-status="done"]');
  await done.waitFor({ timeout: timeoutMs });
  const [verdict, durationMs, text] = await Promise.all([
    done.getAttribute('data-verdict'),
    done.getAttribute('data-duration-ms'),
    done.locator('.connection-check-status').innerText(),
  ]);
  return { verdict: verdict ?? '', text, durationMs: Number(durationMs) };
}

/** Waits until the console's row for `who` (e.g. "Partner 2") shows a connection verdict, and returns its words. */
export async function consoleConnectionText(page: Page, who: string, verdict: string, timeoutMs = 15_000): Promise<string> {
  const row = page.locator('.participant-row', { hasText: who });
  const seen = row.locator(`.participant-connection[data-connection-check="${verdict}"]`);
  await seen.waitFor({ timeout: timeoutMs });
  return seen.innerText();
}

/**
 * Like browser-journeys' clientChecksIn, but waits at check-in for the connection check's verdict
 * (which the person reads before waiting) and returns it.
 */
export async function clientChecksInAfterConnectionCheck(page: Page, name: string, options: { camera: boolean }): Promise<ConnectionCheckSeen> {
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Check in' }).waitFor({ timeout: 15_000 });
  const seen = await connectionCheckResult(page);
  if (options.camera) {
    await page.getByRole('button', { name: 'Turn camera on' }).click();
    await page.getByRole('button', { name: 'Turn camera off' }).waitFor({ timeout: 15_000 });
  }
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.getByRole('heading', { name: /You are checked in/u }).waitFor({ timeout: 15_000 });
  return seen;
}
