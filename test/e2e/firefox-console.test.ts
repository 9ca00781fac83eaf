import { expect } from 'chai';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, type Person } from '../support/browser.ts';
import { waitForRisingMedia } from '../support/browser-page-probe.ts';
import { clientChecksIn, clientReadsNotice, verificationCode, waitForCallTiles } from '../support/browser-journeys.ts';
import {
  firefoxNotificationsShown,
  firefoxScreenshot,
  firefoxSoundsPlayed,
  launchFirefoxPerson,
  unexplainedPageErrors,
  visibleAlerts,
  waitForRisingMediaInFirefox,
  type FirefoxPerson,
} from '../support/firefox.ts';
import * as firefoxJourney from '../support/firefox-journeys.ts';

describe('e2e: the therapist’s console in Firefox admitting a client in Chromium', function () {
  this.timeout(60_000);
  let stack: E2eStack;
  /** The therapist, in Firefox ESR. */
  let firefox: FirefoxPerson;
  let client: Person;
  let joinUrl: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startE2eStack();
    client = await newPerson(stack.browser, { origin: stack.t.origin });
    firefox = await launchFirefoxPerson();
  });
  after(async function () {
    this.timeout(30_000);
    await firefox?.close();
    await client?.close();
    await stack?.close();
  });

  it('signs the therapist in from Firefox and creates a session with one invitation link', async () => {
    await firefoxJourney.therapistSignsIn(firefox.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    [joinUrl] = (await firefoxJourney.therapistCreatesSession(firefox.page, 'individual')) as [string];
    await firefoxJourney.openSession(firefox.page);
    expect(await firefox.page.title()).to.equal('Alcove · Console');
  });

  it('shows the client arriving: a chime, a notification, a (1) in the tab title and the name in the row', async () => {
    await clientReadsNotice(client.page, joinUrl);
    await clientChecksIn(client.page, 'Alex', { camera: true });
    await firefoxJourney.waitForPresence(firefox.page, 'waiting');
    expect(await firefox.page.title()).to.equal('(1) Alcove · Console');
    expect(await firefoxSoundsPlayed(firefox.page)).to.equal(1);
    expect(await firefoxNotificationsShown(firefox.page)).to.deep.equal(['Someone is waiting']);
    expect(await firefox.page.$eval('.participant-row[data-state="waiting"]', (row) => (row as unknown as { textContent: string }).textContent)).to.contain('Alex');
    await firefoxScreenshot(firefox.page, '90-firefox-console-client-waiting');
  });

  it('starts the call from Firefox and admits the client: each decodes the other’s picture and hears the other', async () => {
    await firefoxJourney.therapistJoinsCall(firefox.page, { camera: true });
    await firefoxJourney.clickParticipantAction(firefox.page, 'Admit', 'Client (Alex)');
    await Promise.all([firefoxJourney.waitForCallTiles(firefox.page, 2), waitForCallTiles(client.page, 2)]);
    const [atTherapist, atClient] = await Promise.all([
      waitForRisingMediaInFirefox(firefox.page, { videoTracks: 1, audioTracks: 1 }, 30_000),
      waitForRisingMedia(client.page, { videoTracks: 1, audioTracks: 1 }, 30_000),
    ]);
    expect(atTherapist.rising).to.deep.equal({ video: 1, audio: 1 });
    expect(atClient.rising).to.deep.equal({ video: 1, audio: 1 });
    await firefoxJourney.waitForPresence(firefox.page, 'in-call');
    const code = await firefoxJourney.verificationCode(firefox.page);
    expect(code).to.match(/^\d{4} \d{4}$/u);
    expect(await verificationCode(client.page)).to.equal(code);
    expect(await visibleAlerts(firefox.page)).to.deep.equal([]);
    expect(await client.page.locator('.call-encryption-error').isVisible()).to.equal(false);
    await firefoxScreenshot(firefox.page, '91-firefox-console-call');
  });

  it('saw no CSP violation or page error on either side', async () => {
    expect(await firefox.cspViolations()).to.deep.equal([]);
    expect(unexplainedPageErrors(firefox.pageErrors)).to.deep.equal([]);
    expect(await client.cspViolations()).to.deep.equal([]);
    expect(client.pageErrors).to.deep.equal([]);
  });
});
