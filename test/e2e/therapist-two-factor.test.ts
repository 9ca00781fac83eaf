import { expect } from 'chai';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Request } from 'playwright-core';
import { totpAt, stepAt } from '../../server/src/auth/totp.ts';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { seriousAxeViolations } from '../support/browser-axe.ts';
import { therapistSignsIn } from '../support/browser-journeys.ts';

/** What a phone's camera would read: the QR exactly as the page draws it, decoded from pixels. */
async function scanQrCode(person: Person): Promise<string> {
  const image = PNG.sync.read(await person.page.locator('svg.totp-qr').screenshot());
  // jsqr is CommonJS with an `exports.default`: the typed way to reach its function from ESM.
  const decoded = jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height);
  expect(decoded, 'a QR code readable from the screen').to.not.equal(null);
  return decoded!.data;
}

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

  it('enrols by scanning the QR code drawn in the page (no request leaves it), shows recovery codes once, then asks for a code at sign-in', async () => {
    const page = therapist.page;
    await therapistSignsIn(page, stack.t.origin, stack.therapist.email, stack.therapist.password);

    // First a look in Spanish, then closed unconfirmed: starting again makes a new secret.
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('button', { name: 'Verificación en dos pasos' }).click();
    await page.getByRole('button', { name: 'Activar la verificación en dos pasos' }).click();
    await page.getByRole('img', { name: /^Código QR para escanear con su aplicación de autenticación/u }).waitFor();
    await page.getByLabel('¿No puede escanearlo? Escriba esta clave en su aplicación (como clave basada en el tiempo)').waitFor();
    const abandoned = new URL(await scanQrCode(therapist)).searchParams.get('secret');
    await screenshot(page, '40-es-console-two-factor-set-up');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Cerrar' }).click();
    await page.getByRole('button', { name: 'English' }).click();

    await page.getByRole('button', { name: 'Two-factor authentication' }).click();

    const duringEnrolment: Request[] = [];
    const record = (request: Request) => duringEnrolment.push(request);
    page.on('request', record);
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const qr = page.getByRole('img', { name: /^QR code to scan with your authenticator app/u });
    await qr.waitFor();

    const scanned = new URL(await scanQrCode(therapist));
    expect(scanned.protocol).to.equal('otpauth:');
    expect(scanned.host).to.equal('totp');
    const secret = scanned.searchParams.get('secret')!;
    expect(secret).to.match(/^[A-Z2-7]{16,}$/u);
    expect(secret, 'a new secret for the new start').to.not.equal(abandoned);
    // The typed key is the same secret, under a label that says it is the fallback.
    const typedKey = page.getByLabel('Can’t scan it? Type this key into your app instead (as a time-based key)');
    expect((await typedKey.inputValue()).replace(/\s+/gu, '')).to.equal(secret);
    expect(await page.getByLabel('Set-up link (for apps that accept one)').inputValue()).to.equal(scanned.href);
    await screenshot(page, '40-console-two-factor-set-up');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);

    await page.getByLabel('6-digit code').fill(totpAt(secret, stepAt(Date.now())));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.locator('.recovery-codes li');
    await codes.first().waitFor();
    expect(await codes.count()).to.equal(10);
    page.off('request', record);

    // Nothing but the two enrolment calls to our own origin: no image, no other host, and the secret in no request.
    const origin = new URL(stack.t.origin).origin;
    expect(duringEnrolment.map((r) => `${r.method()} ${new URL(r.url()).origin === origin ? new URL(r.url()).pathname : r.url()}`)).to.deep.equal([
      'POST /api/auth/totp/setup',
      'POST /api/auth/totp/confirm',
    ]);
    for (const request of duringEnrolment) {
      expect(request.resourceType(), request.url()).to.not.equal('image');
      expect(`${request.url()} ${request.postData() ?? ''} ${JSON.stringify(await request.allHeaders())}`).to.not.contain(secret);
    }
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
    expect(therapist.pageErrors).to.deep.equal([]);
  });
});
