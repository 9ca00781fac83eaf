import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { useTherapistAndClient } from '../support/browser-stack.ts';
import { loginTherapist } from '../support/api-client.ts';

const STEP_TIMEOUT_MS = 15_000;

/**
 * Presses Tab (Shift+Tab with `backwards`) until `target` itself (that very node, not an element whose text happens to
 * match) has focus, then checks the focus is visible. Focus falling to the page on the way
 * means a keyboard user lost their place, so it fails at once.
 */
async function tabTo(page: Page, target: Locator, options: { backwards?: boolean } = {}, maxTabs = 40): Promise<void> {
  const handle = await target.elementHandle({ timeout: STEP_TIMEOUT_MS });
  for (let i = 1; i <= maxTabs; i += 1) {
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
    const where = await page.evaluate((el) => {
      const doc = (globalThis as any).document;
      const active = doc.activeElement;
      return {
        isTarget: active === el,
        isPage: active === null || active === doc.body || active === doc.documentElement,
        outline: active ? ((globalThis as any).getComputedStyle(active).outlineStyle as string) : 'none',
      };
    }, handle);
    if (where.isPage) throw new Error(`focus fell to the page after ${i} Tab presses on the way to ${String(target)}`);
    if (where.isTarget) {
      expect(where.outline, `visible focus on ${String(target)}`).to.not.equal('none');
      return;
    }
  }
  throw new Error(`could not reach ${String(target)} with the Tab key`);
}

describe('e2e: keyboard only', function () {
  this.timeout(60_000);
  const people = useTherapistAndClient();

  it('takes a client from the link into the call and the privacy screen, and a therapist from sign-in to admitting them and starting the call, without a mouse', async () => {
    const api = await loginTherapist(people.stack.t.origin, people.stack.therapist.email, people.stack.therapist.password);
    const joinUrl = (await api.createSession('individual')).invites[0]!.joinUrl;

    const c = people.client.page;
    await c.goto(joinUrl);
    await c.getByRole('heading', { name: 'Before you join' }).waitFor();
    await tabTo(c, c.getByRole('button', { name: 'Continue', exact: true }));
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: 'Check in' }).waitFor();
    await tabTo(c, c.getByRole('button', { name: 'Turn camera on' }));
    await c.keyboard.press('Enter');
    await c.getByRole('button', { name: 'Turn camera off' }).waitFor();
    await tabTo(c, c.getByLabel('Your name'));
    await c.keyboard.type('Jo');
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: /You are checked in/u }).waitFor();

    const t = people.therapist.page;
    await t.goto(`${people.stack.t.origin}/console`);
    await t.getByRole('heading', { name: 'Therapist sign-in' }).waitFor();
    await tabTo(t, t.getByLabel('Email'));
    await t.keyboard.type(people.stack.therapist.email);
    await t.keyboard.press('Tab');
    await t.keyboard.type(people.stack.therapist.password);
    await t.keyboard.press('Enter');
    await t.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    // The console shows the client waiting before the therapist sets off through it.
    const session = t.getByRole('button', { name: /Individual/u });
    await session.locator('.waiting-badge').filter({ hasText: '1 waiting' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await tabTo(t, session);
    await t.keyboard.press('Enter');
    await t.locator('.session-panel').waitFor();
    await tabTo(t, t.getByRole('button', { name: /^Admit Client\b/u }));
    await t.keyboard.press('Enter');
    // Admitted before the therapist is in the call: the client is told who they wait for (the
    // therapist's console makes the call's key, so nobody can connect before).
    await c.getByText('Your therapist will join the call in a moment.').waitFor({ timeout: STEP_TIMEOUT_MS });
    // The call's button heads the panel, above the people: back up to it.
    await tabTo(t, t.getByRole('button', { name: 'Start session and join the call' }), { backwards: true });
    await t.keyboard.press('Enter');

    await c.locator('.call-screen[data-connection="connected"]').waitFor();
    await t.locator('.call-screen[data-connection="connected"]').waitFor();
    await c.keyboard.press('Escape');
    await c.getByRole('heading', { name: 'Paused' }).waitFor();
    // The privacy screen holds focus on its one button; Enter returns.
    const back = c.getByRole('button', { name: 'Return to the session' });
    expect(await back.evaluate((el) => el === (globalThis as any).document.activeElement), 'focus on Return to the session').to.equal(true);
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: 'Paused' }).waitFor({ state: 'hidden' });
    await tabTo(c, c.getByRole('button', { name: 'Leave', exact: true }));
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: 'You have left' }).waitFor();
  });
});
