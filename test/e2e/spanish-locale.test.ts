import { expect } from 'chai';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { seriousAxeViolations } from '../support/browser-axe.ts';
import { loginTherapist } from '../support/api-client.ts';

describe('e2e: Spanish for a browser set to Spanish', function () {
  this.timeout(45_000);
  let stack: E2eStack;
  let client: Person;
  let therapist: Person;
  let joinUrl: string;

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    const api = await loginTherapist(stack.t.origin, stack.therapist.email, stack.therapist.password);
    joinUrl = (await api.createSession('individual')).invites[0]!.joinUrl;
    client = await newPerson(stack.browser, { origin: stack.t.origin, locale: 'es-ES' });
    therapist = await newPerson(stack.browser, { origin: stack.t.origin, locale: 'es-MX' });
  });
  after(async () => {
    await client?.close();
    await therapist?.close();
    await stack?.close();
  });

  it('shows the whole client journey in Spanish, with a visible switch to English and back', async () => {
    const page = client.page;
    await page.goto(joinUrl);
    await page.getByRole('heading', { name: 'Antes de entrar' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).to.equal('es');
    expect(await page.title()).to.equal('Cita');
    expect(await page.getByText('La llamada nunca se graba', { exact: false }).isVisible()).to.equal(true);
    await screenshot(page, '30-es-client-notice');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);

    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.getByRole('heading', { name: 'Anunciar su llegada' }).waitFor();
    await page.getByRole('button', { name: 'Encender la cámara' }).waitFor();
    await page.getByLabel('Su nombre').fill('Lucía');
    await screenshot(page, '31-es-client-check-in');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);

    // The switch translates in place: the typed name stays.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Check in', exact: true }).waitFor();
    expect(await page.getByLabel('Your name').inputValue()).to.equal('Lucía');
    expect(await page.title()).to.equal('Appointment');
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Anunciar su llegada' }).waitFor();

    await page.getByRole('button', { name: 'Entrar a la sala de espera', exact: true }).click();
    await page.getByRole('heading', { name: 'Gracias, Lucía. Ya le avisamos a su terapeuta que llegó.' }).waitFor();
    expect(await page.locator('.waiting-status').innerText()).to.contain('Está en la sala de espera.');
    await screenshot(page, '32-es-client-waiting-room');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('shows the therapist console in Spanish', async () => {
    const page = therapist.page;
    await page.goto(`${stack.t.origin}/console`);
    await page.getByRole('heading', { name: 'Acceso para terapeutas' }).waitFor();
    await page.getByLabel('Correo electrónico').fill(stack.therapist.email);
    await page.getByLabel('Contraseña').fill(stack.therapist.password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('heading', { name: 'Sesiones', exact: true }).waitFor();
    await page.locator('.session-item').first().click();
    await page.getByRole('button', { name: /^Dar paso a Cliente/u }).waitFor();
    expect(await page.title()).to.equal('(1) Alcove · Panel');
    await screenshot(page, '33-es-console');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    expect(await client.cspViolations()).to.deep.equal([]);
    expect(await therapist.cspViolations()).to.deep.equal([]);
  });
});
