import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useTherapistAndClient } from '../support/browser-stack.ts';
import { loginTherapist } from '../support/api-client.ts';

/** Presses Tab until the focused element's text or label matches, then checks the focus is visible. */
async function tabTo(page: Page, name: RegExp, maxTabs = 40): Promise<void> {
  for (let i = 0; i < maxTabs; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      const label = el?.labels?.[0]?.textContent ?? '';
      const style = (globalThis as any).getComputedStyle(el);
      return { text: `${el?.getAttribute('aria-label') ?? ''} ${el?.textContent ?? ''} ${label}`.trim(), outline: style.outlineStyle as string };
    });
    if (name.test(focused.text)) {
      expect(focused.outline, `visible focus on ${focused.text}`).to.not.equal('none');
      return;
    }
  }
  throw new Error(`could not reach ${name} with the Tab key`);
}

describe('e2e: keyboard only', function () {
  this.timeout(60_000);
  const people = useTherapistAndClient();

  it('takes a client from the link into the call and the privacy screen, and a therapist from sign-in to admitting them, without a mouse', async () => {
    const api = await loginTherapist(people.stack.t.origin, people.stack.therapist.email, people.stack.therapist.password);
    const joinUrl = (await api.createSession('individual')).invites[0]!.joinUrl;

    const c = people.client.page;
    await c.goto(joinUrl);
    await c.getByRole('heading', { name: 'Before you join' }).waitFor();
    await tabTo(c, /^Continue$/u);
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: 'Check in' }).waitFor();
    await tabTo(c, /Turn camera on/u);
    await c.keyboard.press('Enter');
    await c.getByRole('button', { name: 'Turn camera off' }).waitFor();
    await tabTo(c, /Your name/u);
    await c.keyboard.type('Jo');
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: /You are checked in/u }).waitFor();

    const t = people.therapist.page;
    await t.goto(`${people.stack.t.origin}/console`);
    await t.getByRole('heading', { name: 'Therapist sign-in' }).waitFor();
    await tabTo(t, /Email/u);
    await t.keyboard.type(people.stack.therapist.email);
    await t.keyboard.press('Tab');
    await t.keyboard.type(people.stack.therapist.password);
    await t.keyboard.press('Enter');
    await t.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    await tabTo(t, /Individual/u);
    await t.keyboard.press('Enter');
    await t.locator('.session-panel').waitFor();
    await tabTo(t, /^Admit Client/u);
    await t.keyboard.press('Enter');

    await c.locator('.call-screen[data-connection="connected"]').waitFor();
    await c.keyboard.press('Escape');
    await c.getByRole('heading', { name: 'Paused' }).waitFor();
    // The privacy screen holds focus on its one button; Enter returns.
    expect(await c.evaluate(() => (globalThis as any).document.activeElement?.textContent)).to.equal('Return to the session');
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: 'Paused' }).waitFor({ state: 'hidden' });
    await tabTo(c, /^Leave$/u);
    await c.keyboard.press('Enter');
    await c.getByRole('heading', { name: 'You have left' }).waitFor();
  });
});
