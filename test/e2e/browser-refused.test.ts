/**
 * A browser that cannot encrypt the call is refused, never joined in plaintext: real Chromium with
 * the parts a call's encryption needs taken away before the app loads (an init script, in the
 * test's pages only). Without insertable streams (neither `createEncodedStreams` nor
 * `RTCRtpScriptTransform`, as in an old or locked-down browser) the pre-call check says so at
 * check-in in plain words that name browsers that work (English and Spanish), the therapist sees
 * it beside the name, and admitting the person opens no media connection at all. Without the
 * WebCrypto the key exchange needs, the page says at once that the browser cannot make the call.
 */
import { expect } from 'chai';
import { RoomServiceClient } from 'livekit-server-sdk';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import {
  clickParticipantAction,
  clientReadsNotice,
  openSession,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  waitForPresence,
} from '../support/browser-journeys.ts';
import { connectionCheckResult, consoleConnectionText } from '../support/connection-check-journey.ts';
import { livekitStack } from '../support/livekit-stack.ts';

const STEP_TIMEOUT_MS = 15_000;

/** Takes away both ways livekit-client encrypts frames. Plain JavaScript. */
const NO_INSERTABLE_STREAMS = `(() => {
  delete globalThis.RTCRtpScriptTransform;
  for (const proto of [globalThis.RTCRtpSender && RTCRtpSender.prototype, globalThis.RTCRtpReceiver && RTCRtpReceiver.prototype]) {
    if (proto) delete proto.createEncodedStreams;
  }
})();`;

/** Takes away the WebCrypto operation the key exchange is built on (ECDH). Plain JavaScript. */
const NO_KEY_EXCHANGE = `(() => {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (subtle) Object.defineProperty(Object.getPrototypeOf(subtle), 'deriveBits', { value: undefined, configurable: true });
})();`;

const peerConnectionsOpened = (person: Person) => person.page.evaluate(() => ((globalThis as any).__alcovePeerConnections as unknown[]).length);

describe('e2e: a browser that cannot encrypt the call is refused with a plain message', function () {
  this.timeout(90_000);
  let stack: E2eStack;
  let therapist: Person;
  const others: Person[] = [];

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
  });
  after(async () => {
    for (const person of [therapist, ...others]) await person?.close();
    await stack?.close();
  });

  async function person(script: string, locale = 'en-US'): Promise<Person> {
    const made = await newPerson(stack.browser, { origin: stack.t.origin, locale });
    await made.context.addInitScript(script);
    others.push(made);
    return made;
  }

  it('without insertable streams: check-in says so and names browsers that work; the therapist sees it; admitting opens no media connection', async () => {
    const client = await person(NO_INSERTABLE_STREAMS);
    const [joinUrl] = await therapistCreatesSession(therapist.page, 'individual');
    await clientReadsNotice(client.page, joinUrl!);
    await client.page.getByRole('button', { name: 'Continue' }).click();
    const seen = await connectionCheckResult(client.page);
    expect(seen.verdict).to.equal('no-encryption');
    expect(seen.text).to.equal(
      'This browser cannot encrypt the call end to end, so it cannot join it. Open this link in a current Chrome, Edge, Firefox or Safari. You can still check in and wait: your therapist will see this.',
    );
    await screenshot(client.page, '55-client-browser-cannot-encrypt');
    await client.page.getByLabel('Your name').fill('Robin');
    await client.page.getByRole('button', { name: 'Check in', exact: true }).click();
    await client.page.getByRole('heading', { name: /You are checked in/u }).waitFor({ timeout: STEP_TIMEOUT_MS });

    await openSession(therapist.page);
    await waitForPresence(therapist.page, 'waiting');
    expect(await consoleConnectionText(therapist.page, 'Client', 'no-encryption')).to.equal('browser cannot encrypt the call');
    await therapistJoinsCall(therapist.page, { camera: true });
    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await client.page.getByRole('heading', { name: 'This browser is not supported' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await client.page.getByText('Please open the link in a recent Chrome, Edge, Firefox or Safari.').count()).to.be.greaterThan(0);
    // Never a call without encryption: not one peer connection, and LiveKit never saw the client.
    expect(await peerConnectionsOpened(client)).to.equal(0);
    const livekit = await livekitStack();
    const rooms = new RoomServiceClient(livekit.url.replace(/^ws/u, 'http'), livekit.apiKey, livekit.apiSecret);
    for (const room of await rooms.listRooms()) {
      const names = (await rooms.listParticipants(room.name)).map((p) => p.name);
      expect(names, `participants of ${room.name}`).to.not.include('Robin');
    }
    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await therapist.page.getByText('The session has ended for everyone.').first().waitFor({ timeout: STEP_TIMEOUT_MS });
  });

  it('says the same in Spanish to a browser set to Spanish', async () => {
    const client = await person(NO_INSERTABLE_STREAMS, 'es-ES');
    const [joinUrl] = await therapistCreatesSession(therapist.page, 'individual');
    await client.page.goto(joinUrl!);
    await client.page.getByRole('button', { name: 'Continuar', exact: true }).click();
    const seen = await connectionCheckResult(client.page);
    expect(seen.verdict).to.equal('no-encryption');
    expect(seen.text).to.equal(
      'Este navegador no puede cifrar la llamada de extremo a extremo, así que no puede entrar a ella. Abra este enlace en una versión actual de Chrome, Edge, Firefox o Safari. Aun así puede anunciar su llegada y esperar: su terapeuta verá este aviso.',
    );
  });

  it('without the WebCrypto the key exchange needs: the page says the browser cannot make the call, before asking for a camera', async () => {
    const client = await person(NO_KEY_EXCHANGE);
    const [joinUrl] = await therapistCreatesSession(therapist.page, 'individual');
    await client.page.goto(joinUrl!);
    await client.page.getByRole('heading', { name: 'This browser is not supported' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await client.page.getByText('This browser cannot make video calls. Please open the link in a recent Chrome, Edge, Firefox or Safari.').waitFor();
    expect(await client.page.getByRole('button', { name: 'Continue', exact: true }).count(), 'no way on to the camera check').to.equal(0);
    await screenshot(client.page, '56-client-browser-without-webcrypto');
    expect(await peerConnectionsOpened(client)).to.equal(0);
  });
});
