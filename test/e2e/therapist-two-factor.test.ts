import { expect } from 'chai';
import { totpAt, stepAt } from '../../server/src/auth/totp.ts';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { seriousAxeViolations } from '../support/browser-axe.ts';
import { therapistSignsIn } from '../support/browser-journeys.ts';

describe('e2e: a therapist turns on two-factor authentication in the console', function () {
  this.timeout(45_000);
  let stack: E2eStack;
  let therapist: Person;

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
  });
  after(async () => {
    await therapist?.close();
    await stack?.close();
  });

  it('enrols with an authenticator key, shows recovery codes once, then asks for a code at sign-in', async () => {
    const page = therapist.page;
    await therapistSignsIn(page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    await page.getByRole('button', { name: 'Two-factor authentication' }).click();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = (await page.getByLabel('Key', { exact: true }).inputValue()).replace(/\s+/gu, '');
    expect(secret).to.match(/^[A-Z2-7]{16,}$/u);
    await screenshot(page, '40-console-two-factor-set-up');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByLabel('6-digit code').fill(totpAt(secret, stepAt(Date.now())));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.locator('.recovery-codes li');
    await codes.first().waitFor();
    expect(await codes.count()).to.equal(10);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Therapist sign-in' }).waitFor();
    await page.getByLabel('Email').fill(stack.therapist.email);
    await page.getByLabel('Password').fill(stack.therapist.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Your account uses two-factor authentication.', { exact: false }).waitFor();
    await screenshot(page, '41-console-sign-in-code');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    // The code of the next time step: the one used to confirm may not be replayed.
    await page.getByLabel('Authentication code').fill(totpAt(secret, stepAt(Date.now()) + 1));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    expect(await therapist.cspViolations()).to.deep.equal([]);
  });
});
