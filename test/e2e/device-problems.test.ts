import { expect } from 'chai';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { launchBrowser, newPerson, screenshot, type E2eBrowser } from '../support/browser.ts';
import { seriousAxeViolations } from '../support/browser-axe.ts';
import { loginTherapist } from '../support/api-client.ts';

/**
 * Chromium with fake devices but real permission prompts (headless refuses them), and
 * Chromium without any devices (this machine has no camera or microphone).
 */
describe('e2e: plain help when the camera or microphone cannot be used', function () {
  this.timeout(45_000);
  let stack: E2eStack;
  let refusing: E2eBrowser;
  let deviceless: E2eBrowser;
  let joinUrls: string[];

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    refusing = await launchBrowser({ autoAllow: false });
    deviceless = await launchBrowser({ fakeDevices: false });
    const api = await loginTherapist(stack.t.origin, stack.therapist.email, stack.therapist.password);
    joinUrls = (await api.createSession('couple')).invites.map((i) => i.joinUrl);
  });
  after(async () => {
    await refusing?.close();
    await deviceless?.close();
    await stack?.close();
  });

  it('explains how to allow access when permission is refused', async () => {
    const person = await newPerson(refusing, { origin: stack.t.origin, media: false });
    try {
      await person.page.goto(joinUrls[0]!);
      await person.page.getByRole('button', { name: 'Continue' }).click();
      const alert = person.page.getByRole('alert').filter({ hasText: 'Microphone:' });
      await alert.waitFor();
      expect(await alert.innerText()).to.contain('Access was blocked');
      await person.page.getByRole('button', { name: 'Turn camera on' }).click();
      expect(await person.page.getByRole('alert').filter({ hasText: 'Camera:' }).innerText()).to.contain('Access was blocked');
      await screenshot(person.page, '50-client-devices-refused');
      expect(await seriousAxeViolations(person.page)).to.deep.equal([]);
    } finally {
      await person.close();
    }
  });

  it('says when no device is found, and still lets the person check in to talk', async () => {
    const person = await newPerson(deviceless, { origin: stack.t.origin });
    try {
      await person.page.goto(joinUrls[1]!);
      await person.page.getByRole('button', { name: 'Continue' }).click();
      const alert = person.page.getByRole('alert').filter({ hasText: 'Microphone:' });
      await alert.waitFor();
      expect(await alert.innerText()).to.contain('No device was found');
      await screenshot(person.page, '51-client-no-devices');
      await person.page.getByLabel('Your name').fill('Noa');
      await person.page.getByRole('button', { name: 'Check in', exact: true }).click();
      await person.page.getByRole('heading', { name: /You are checked in/u }).waitFor();
    } finally {
      await person.close();
    }
  });
});
