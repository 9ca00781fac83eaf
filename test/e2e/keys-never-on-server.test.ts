import { expect } from 'chai';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { waitForRisingMedia } from '../support/browser-page-probe.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  openSession,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  verificationCode,
  waitForCallTiles,
  waitForPresence,
} from '../support/browser-journeys.ts';
import { dumpRedis } from '../support/redis-dump.ts';

const STEP_TIMEOUT_MS = 15_000;

/**
 * Test-only, in the test's browsers (never in the app): every raw secret the page hands WebCrypto
 * as HKDF input — the media keys (livekit-client's key material) and the ECDH shared secrets of
 * the key exchange — and whether each private key generated is extractable. Plain JavaScript
 * (see browser-page-probe.ts).
 */
const KEY_TAP_SCRIPT = `(() => {
  const g = globalThis;
  g.__alcoveSecrets = [];
  g.__alcovePrivateExtractable = [];
  const subtle = g.crypto && g.crypto.subtle;
  if (!subtle) return;
  const importKey = subtle.importKey.bind(subtle);
  subtle.importKey = function (format, data, algorithm, extractable, usages) {
    try {
      const name = typeof algorithm === 'string' ? algorithm : algorithm && algorithm.name;
      if (format === 'raw' && name === 'HKDF') {
        const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        let binary = '';
        for (const byte of view) binary += String.fromCharCode(byte);
        g.__alcoveSecrets.push(btoa(binary));
      }
    } catch (error) {}
    return importKey(format, data, algorithm, extractable, usages);
  };
  const generateKey = subtle.generateKey.bind(subtle);
  subtle.generateKey = async function (...args) {
    const made = await generateKey(...args);
    if (made && made.privateKey) g.__alcovePrivateExtractable.push(made.privateKey.extractable);
    return made;
  };
})();`;

const secretsOf = (person: Person) => person.page.evaluate(() => ((globalThis as any).__alcoveSecrets ?? []) as string[]);
const extractableOf = (person: Person) => person.page.evaluate(() => ((globalThis as any).__alcovePrivateExtractable ?? []) as boolean[]);

/** Every spelling a 32-byte secret could take on the wire, in a log or in Redis. */
function spellings(base64: string): string[] {
  const bytes = Buffer.from(base64, 'base64');
  return [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), bytes.toString('hex').toUpperCase(), JSON.stringify([...bytes])];
}

describe('e2e: the media key never reaches the server', function () {
  this.timeout(120_000);
  let stack: E2eStack;
  let therapist: Person;
  let partner1: Person;
  let partner2: Person;
  /** Every Socket.io frame the server received from or sent to the three browsers. */
  const frames: string[] = [];

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    partner1 = await newPerson(stack.browser, { origin: stack.t.origin });
    partner2 = await newPerson(stack.browser, { origin: stack.t.origin });
    for (const person of [therapist, partner1, partner2]) {
      await person.context.addInitScript(KEY_TAP_SCRIPT);
      person.page.on('websocket', (ws) => {
        if (!ws.url().includes('/socket.io/')) return;
        ws.on('framesent', ({ payload }) => frames.push(String(payload)));
        ws.on('framereceived', ({ payload }) => frames.push(String(payload)));
      });
    }
  });
  after(async () => {
    for (const person of [therapist, partner1, partner2]) await person?.close();
    await stack?.close();
  });

  const redisNow = () => dumpRedis(stack.t.app.redis, stack.t.config.redis.prefix);

  it('in a full couple session with a rotation: no media key or shared secret in any frame, Redis value or log line; private keys not extractable', async () => {
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const [link1, link2] = await therapistCreatesSession(therapist.page, 'couple');
    await openSession(therapist.page);
    await therapistJoinsCall(therapist.page, { camera: true });
    await clientReadsNotice(partner1.page, link1!);
    await clientChecksIn(partner1.page, 'Sam', { camera: true });
    await clientReadsNotice(partner2.page, link2!);
    await clientChecksIn(partner2.page, 'Kai', { camera: true });
    await waitForPresence(therapist.page, 'waiting', 2);
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 1');
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await Promise.all([therapist, partner1, partner2].map((person) => waitForCallTiles(person.page, 3)));
    await Promise.all([therapist, partner1, partner2].map((person) => waitForRisingMedia(person.page, { videoTracks: 2, audioTracks: 2 }, 30_000)));
    const codes = await Promise.all([therapist, partner1, partner2].map((person) => verificationCode(person.page, 3)));
    expect(new Set(codes).size, `codes ${codes.join(', ')}`).to.equal(1);

    // The therapist compared the codes aloud: each client is told so, sealed, while its code is the one compared.
    await therapist.page.getByRole('button', { name: 'Codes compared' }).click();
    await Promise.all(
      [partner1, partner2].map((person) => person.page.getByText('Your therapist compared the codes.').waitFor({ timeout: STEP_TIMEOUT_MS })),
    );
    await therapist.page.getByText(`You marked code ${codes[0]} as compared`).waitFor({ timeout: STEP_TIMEOUT_MS });
    await screenshot(partner1.page, '29-client-codes-compared');

    // A removal rotates the key: a second media key is made, in the console only, and sealed.
    await clickParticipantAction(therapist.page, 'Remove', 'Partner 2');
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await partner2.page.getByRole('heading', { name: 'Your visit has ended' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    const codeAfter = await verificationCode(therapist.page, 2);
    expect(await verificationCode(partner1.page, 2)).to.equal(codeAfter);
    // The confirmation was for the old code: it is gone with it.
    await partner1.page.getByText('Your therapist compared the codes.').waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
    await partner1.page.getByText('The code changed: Kai left.').waitFor({ timeout: STEP_TIMEOUT_MS });
    await waitForRisingMedia(partner1.page, { videoTracks: 1, audioTracks: 1 });
    const redisDuringCall = await redisNow();

    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await partner1.page.getByRole('heading', { name: 'The session has ended' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    const redisAfter = await redisNow();

    // What the browsers held: the media keys every member imported (the console's two, one per key
    // index), and the ECDH secrets each pair of browsers derived to seal and open them.
    const held = await Promise.all([therapist, partner1, partner2].map(secretsOf));
    const everywhere = held[0]!.filter((secret) => held[1]!.includes(secret) && held[2]!.includes(secret));
    expect(everywhere.length, 'a media key held by all three browsers').to.be.at.least(1);
    const rotated = held[0]!.filter((secret) => held[1]!.includes(secret) && !held[2]!.includes(secret));
    expect(rotated.length, 'a rotated key held by those who stayed only').to.be.at.least(1);
    const secrets = [...new Set(held.flat())];
    expect(secrets.length).to.be.at.least(4);

    const wire = frames.join('\n');
    expect(frames.length, 'socket frames tapped').to.be.greaterThan(20);
    expect(wire).to.include('"participant:send-key"');
    const logs = stack.t.logs.join('\n');
    for (const secret of secrets) {
      for (const spelling of spellings(secret)) {
        expect(wire.includes(spelling), 'a secret in a socket frame').to.equal(false);
        expect(redisDuringCall.includes(spelling), 'a secret in Redis during the call').to.equal(false);
        expect(redisAfter.includes(spelling), 'a secret in Redis after the session').to.equal(false);
        expect(logs.includes(spelling), 'a secret in a log line').to.equal(false);
      }
    }
    const extractable = (await Promise.all([therapist, partner1, partner2].map(extractableOf))).flat();
    expect(extractable.length, 'key pairs made').to.be.at.least(3);
    expect(extractable.every((isExtractable) => isExtractable === false), 'an extractable private key').to.equal(true);
    for (const person of [therapist, partner1, partner2]) {
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
  });
});
