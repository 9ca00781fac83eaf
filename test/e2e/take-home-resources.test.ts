import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { expectAccessible } from '../support/browser-axe.ts';
import { dumpRedis } from '../support/redis-dump.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  openSession,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  waitForCallTiles,
  waitForPresence,
} from '../support/browser-journeys.ts';

const STEP_TIMEOUT_MS = 15_000;

interface Resource {
  title: string;
  url: string;
}

/** Titles and links nobody but the browsers may ever see in plaintext. */
const BOOK: Resource = { title: 'Come as You Are — Emily Nagoski', url: 'https://www.example.org/books/come-as-you-are?ed=2' };
const VIDEO: Resource = { title: 'Sensate focus, step one', url: 'https://video.example.net/sensate-focus-one' };
const EXERCISE: Resource = { title: 'Hold me tight: conversation 3', url: 'https://exercises.example.com/hmt/3' };
const SOLO: Resource = { title: 'Grounding for panic (5-4-3-2-1)', url: 'https://calm.example.org/grounding' };

async function addResource(page: Page, resource: Resource) {
  await page.getByLabel('Title', { exact: true }).fill(resource.title);
  await page.getByLabel('Link (https://…)').fill(resource.url);
  await page.getByRole('button', { name: 'Add resource' }).click();
  await page.locator('.resource-item .resource-title', { hasText: resource.title }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** The list the client's browser holds now (opened from the sealed envelope), titles in order. */
async function waitForHeldList(page: Page, titles: string[]) {
  await page.waitForFunction(
    (expected) => {
      const raw = (globalThis as any).sessionStorage.getItem('alcove.take-home');
      const held = raw ? (JSON.parse(raw).resources as { title: string }[]).map((r) => r.title) : [];
      return JSON.stringify(held) === JSON.stringify(expected);
    },
    titles,
    { timeout: STEP_TIMEOUT_MS },
  );
}

/** The exit page's list exactly: titles in order, each link's target, rel and referrer policy. */
async function expectExitList(page: Page, resources: Resource[]) {
  await page.locator('.take-home').waitFor({ timeout: STEP_TIMEOUT_MS });
  const links = await page.locator('.take-home-list a').evaluateAll((anchors) =>
    anchors.map((a: any) => ({ href: a.getAttribute('href'), text: a.firstChild.textContent, target: a.target, rel: a.rel, referrerpolicy: a.getAttribute('referrerpolicy') })),
  );
  expect(links).to.deep.equal(resources.map((r) => ({ href: r.url, text: r.title, target: '_blank', rel: 'noopener noreferrer', referrerpolicy: 'no-referrer' })));
}

async function savedList(page: Page, buttonName: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: STEP_TIMEOUT_MS }), page.getByRole('button', { name: buttonName }).click()]);
  return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
}

const storedList = (page: Page) => page.evaluate(() => (globalThis as any).sessionStorage.getItem('alcove.take-home') as string | null);

describe('e2e: resources to take home, sealed from the console to each client’s exit page', function () {
  this.timeout(120_000);
  let stack: E2eStack;
  let therapist: Person;
  let partner1: Person;
  let partner2: Person;
  let client: Person;
  /** Every Socket.io frame between the server and the browsers. */
  const frames: string[] = [];

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    partner1 = await newPerson(stack.browser, { origin: stack.t.origin });
    partner2 = await newPerson(stack.browser, { origin: stack.t.origin, viewport: { width: 390, height: 844 } });
    client = await newPerson(stack.browser, { origin: stack.t.origin });
    for (const person of [therapist, partner1, partner2, client]) {
      person.page.on('websocket', (ws) => {
        if (!ws.url().includes('/socket.io/')) return;
        ws.on('framesent', ({ payload }) => frames.push(String(payload)));
        ws.on('framereceived', ({ payload }) => frames.push(String(payload)));
      });
    }
  });
  after(async () => {
    for (const person of [therapist, partner1, partner2, client]) await person?.close();
    await stack?.close();
  });

  it('in a couple session from two locations: each partner leaves with exactly the list as it was at the end, in English and Spanish', async () => {
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const [link1, link2] = await therapistCreatesSession(therapist.page, 'couple');
    await openSession(therapist.page);
    await therapistJoinsCall(therapist.page, { camera: false });
    await clientReadsNotice(partner1.page, link1!);
    await clientChecksIn(partner1.page, 'Sam', { camera: false });
    await clientReadsNotice(partner2.page, link2!);
    await clientChecksIn(partner2.page, 'Kai', { camera: false });
    await waitForPresence(therapist.page, 'waiting', 2);
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 1');
    await waitForCallTiles(partner1.page, 2);

    // Inline checks, next to the field, before anything is sealed.
    const page = therapist.page;
    await page.getByLabel('Title', { exact: true }).fill('Plain link');
    await page.getByLabel('Link (https://…)').fill('http://insecure.example.org/x');
    await page.getByRole('button', { name: 'Add resource' }).click();
    await page.getByText('Only secure links, starting with https://, can be shared.').waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await page.getByLabel('Link (https://…)').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByLabel('Link (https://…)').evaluate((el) => el === (globalThis as any).document.activeElement)).to.equal(true);
    await page.getByLabel('Title', { exact: true }).fill('');
    await page.getByLabel('Link (https://…)').fill('https://user:secret@example.org/');
    await page.getByRole('button', { name: 'Add resource' }).click();
    await page.getByText('Please give the resource a title.').waitFor({ timeout: STEP_TIMEOUT_MS });
    await expectAccessible(page, 'console resources with a problem');

    await addResource(page, BOOK);
    await addResource(page, VIDEO);
    await waitForHeldList(partner1.page, [BOOK.title, VIDEO.title]);

    // Partner 2 joins after: the console seals the current list to them on the member change,
    // and not again to Partner 1, who already holds it.
    const beforeJoin = frames.length;
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await Promise.all([waitForCallTiles(partner1.page, 3), waitForCallTiles(partner2.page, 3)]);
    await waitForHeldList(partner2.page, [BOOK.title, VIDEO.title]);
    const sealedTo = frames
      .slice(beforeJoin)
      .filter((frame) => frame.includes('"participant:send-resources"'))
      .map((frame) => /"participantId":"([^"]+)"/u.exec(frame)?.[1]);
    expect(new Set(sealedTo).size, 'the list was sealed again to a partner who held it').to.equal(1);
    await addResource(page, EXERCISE);
    await page.getByRole('button', { name: `Remove ${VIDEO.title}` }).click();
    await page.locator('.resource-item .resource-title', { hasText: VIDEO.title }).waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
    await page.getByText('2 of 5 resources').waitFor({ timeout: STEP_TIMEOUT_MS });
    await Promise.all([partner1, partner2].map((p) => waitForHeldList(p.page, [BOOK.title, EXERCISE.title])));
    await page.locator('.resources-section').scrollIntoViewIfNeeded();
    await screenshot(page, '80-console-resources');
    await expectAccessible(page, 'console resources');
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Para llevar' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.getByText('2 de 5 recursos').waitFor({ timeout: STEP_TIMEOUT_MS });
    await screenshot(page, '80-es-console-resources');
    await expectAccessible(page, 'console resources in Spanish');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Resources to take home' }).waitFor({ timeout: STEP_TIMEOUT_MS });

    const redisDuring = await dumpRedis(stack.t.app.redis, stack.t.config.redis.prefix);
    await page.getByRole('button', { name: 'End session for everyone' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await Promise.all([partner1, partner2].map((p) => p.page.getByRole('heading', { name: 'The session has ended' }).waitFor({ timeout: STEP_TIMEOUT_MS })));
    const redisAfter = await dumpRedis(stack.t.app.redis, stack.t.config.redis.prefix);

    // Partner 1, in English.
    await expectExitList(partner1.page, [BOOK, EXERCISE]);
    await partner1.page.getByRole('heading', { name: 'Resources to take home' }).waitFor();
    await screenshot(partner1.page, '81-client-exit-resources');
    await expectAccessible(partner1.page, 'exit page with resources');
    const saved = await savedList(partner1.page, 'Save the list');
    expect(saved.name).to.equal('resources-to-take-home.txt');
    expect(saved.text).to.equal(['Resources from your session', '', BOOK.title, BOOK.url, '', EXERCISE.title, EXERCISE.url, ''].join('\n'));
    await partner1.page.getByRole('button', { name: 'Done' }).click();
    await partner1.page.getByText('The list has been cleared from this browser.').waitFor();
    expect(await storedList(partner1.page)).to.equal(null);
    expect(await partner1.page.locator('.take-home-list a').count()).to.equal(0);

    // Partner 2, on a phone, in Spanish.
    await partner2.page.getByRole('button', { name: 'Español' }).click();
    await partner2.page.getByRole('heading', { name: 'Recursos para después de la sesión' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await expectExitList(partner2.page, [BOOK, EXERCISE]);
    await screenshot(partner2.page, '81-es-phone-exit-resources');
    await expectAccessible(partner2.page, 'exit page with resources in Spanish');
    const guardado = await savedList(partner2.page, 'Guardar la lista');
    expect(guardado.name).to.equal('recursos-para-despues.txt');
    expect(guardado.text).to.equal(['Recursos de su sesión', '', BOOK.title, BOOK.url, '', EXERCISE.title, EXERCISE.url, ''].join('\n'));
    await partner2.page.getByRole('button', { name: 'Listo' }).click();
    await partner2.page.getByText('La lista se borró de este navegador.').waitFor();
    expect(await storedList(partner2.page)).to.equal(null);

    // Nothing of the list reached the server in plaintext: frames, Redis, log lines.
    const wire = frames.join('\n');
    expect(wire).to.include('"participant:send-resources"');
    expect(wire).to.include('"call:resources-sent"');
    const logs = stack.t.logs.join('\n');
    for (const resource of [BOOK, VIDEO, EXERCISE]) {
      for (const text of [resource.title, resource.url, JSON.stringify(resource.title).slice(1, -1), JSON.stringify(resource.url).slice(1, -1), new URL(resource.url).hostname]) {
        expect(wire.includes(text), `"${text}" in a socket frame`).to.equal(false);
        expect(redisDuring.includes(text), `"${text}" in Redis during the call`).to.equal(false);
        expect(redisAfter.includes(text), `"${text}" in Redis after the session`).to.equal(false);
        expect(logs.includes(text), `"${text}" in a log line`).to.equal(false);
      }
    }
    for (const person of [therapist, partner1, partner2]) {
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
  });

  it('in an individual session: the client sees the list when the session ends, saves it, and Done wipes it', async () => {
    const [link] = await therapistCreatesSession(therapist.page, 'individual');
    await therapistJoinsCall(therapist.page, { camera: false });
    await clientReadsNotice(client.page, link!);
    await clientChecksIn(client.page, 'Robin', { camera: false });
    await waitForPresence(therapist.page, 'waiting');
    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await waitForCallTiles(client.page, 2);
    await addResource(therapist.page, SOLO);
    await waitForHeldList(client.page, [SOLO.title]);
    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await client.page.getByRole('heading', { name: 'The session has ended' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await expectExitList(client.page, [SOLO]);
    const saved = await savedList(client.page, 'Save the list');
    expect(saved.text).to.equal(['Resources from your session', '', SOLO.title, SOLO.url, ''].join('\n'));
    await client.page.getByRole('button', { name: 'Done' }).click();
    expect(await storedList(client.page)).to.equal(null);
    const wire = frames.join('\n');
    const redis = await dumpRedis(stack.t.app.redis, stack.t.config.redis.prefix);
    const logs = stack.t.logs.join('\n');
    for (const text of [SOLO.title, SOLO.url, new URL(SOLO.url).hostname]) {
      expect(wire.includes(text), `"${text}" in a socket frame`).to.equal(false);
      expect(redis.includes(text), `"${text}" in Redis`).to.equal(false);
      expect(logs.includes(text), `"${text}" in a log line`).to.equal(false);
    }
    expect(client.pageErrors).to.deep.equal([]);
    expect(await client.cspViolations()).to.deep.equal([]);
  });
});
