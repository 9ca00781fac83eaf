/**
 * Private notes and sealed intake in real Chromium: the console makes the sealing key (kept across
 * a reload, backed up to a passphrase-protected file), an individual client and two partners from
 * two locations write from the waiting room, only the console shows what they wrote, the answers
 * are saved to a file made in the browser, a second browser opens the same answers from the
 * backup, nothing of it is in any socket frame, Redis value or log line, and it is all erased when
 * the session ends. Screenshots of every new screen in English and Spanish, axe-checked.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { HTTP_ROUTES } from '@alcove/shared';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { expectAccessible } from '../support/browser-axe.ts';
import { loginTherapist } from '../support/api-client.ts';
import { clientChecksIn, clientReadsNotice, therapistSignsIn, waitForPresence } from '../support/browser-journeys.ts';
import { dumpRedis } from '../support/redis-dump.ts';

const PASSPHRASE = 'a quiet harbour at dawn';
const NOTE_SOLO = 'Seedednote: please call me Ana, not Anabel';
const NOTE_KAI = 'Seedednote: I would like a moment alone with you first';
const ANSWER_SOLO = 'Seededanswer sleeping badly since spring';
const ANSWER_SAM = 'Seededanswer Sam: twelve years, mostly kind';
const ANSWER_KAI = 'Seededanswer Kai: twelve years, lately distant';
const STEP_MS = 15_000;

async function inSpanish(page: Page, name: string, check = true) {
  await page.locator('button[data-locale="es"]').first().click();
  await page.locator('html[lang="es"]').waitFor();
  await screenshot(page, `${name}-es`);
  if (check) await expectAccessible(page, `${name} (es)`);
  await page.locator('button[data-locale="en"]').first().click();
  await page.locator('html[lang="en"]').waitFor();
}

async function createWithIntake(page: Page, kind: 'individual' | 'couple', template: string, custom = ''): Promise<string[]> {
  await page.getByLabel(kind === 'couple' ? 'Couple (two separate links)' : 'Individual', { exact: true }).check();
  const form = page.locator('form.create-session');
  await form.getByLabel('Intake questionnaire').selectOption({ label: template });
  await form.getByLabel('Your own questions (optional)').fill(custom);
  const previous = await page.locator('.session-panel').getAttribute('data-session-id').catch(() => null);
  await page.getByRole('button', { name: 'Create session' }).click();
  await page.waitForFunction((before) => {
    const panel = (globalThis as any).document.querySelector('.session-panel');
    return panel !== null && panel.getAttribute('data-session-id') !== before;
  }, previous);
  const links = page.locator('.session-panel .invite-link input.link-text');
  await links.nth(kind === 'couple' ? 1 : 0).waitFor();
  return links.evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; path: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), path, text: readFileSync(path, 'utf8') };
}

describe('e2e: private notes and sealed intake in real Chromium', function () {
  this.timeout(90_000);
  let stack: E2eStack;
  let therapist: Person;
  let backupPath: string;
  let fingerprint: string;
  const frames: string[] = [];
  const people: Person[] = [];

  const person = async (options: Parameters<typeof newPerson>[1]) => {
    const p = await newPerson(stack.browser, options);
    p.page.on('websocket', (ws) => {
      ws.on('framesent', ({ payload }) => frames.push(String(payload)));
      ws.on('framereceived', ({ payload }) => frames.push(String(payload)));
    });
    people.push(p);
    return p;
  };
  const redisDump = () => dumpRedis(stack.t.app.redis, stack.t.config.redis.prefix);
  const sessionIdOf = (page: Page) => page.locator('.session-panel').getAttribute('data-session-id') as Promise<string>;

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await person({ origin: stack.t.origin, notifications: true });
  });
  after(async () => {
    for (const p of people) await p.close();
    await stack?.close();
  });

  it('makes the sealing key on first open, keeps it across a reload, and backs it up to a passphrase-protected file', async () => {
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const panel = therapist.page.locator('.sealing-panel');
    await panel.getByRole('button', { name: 'Make my key' }).waitFor();
    expect(await therapist.page.getByText('Set up private notes and intake first.').isVisible()).to.equal(true);
    await screenshot(therapist.page, 'n01-console-sealing-setup');
    await expectAccessible(therapist.page, 'sealing key set-up');
    await inSpanish(therapist.page, 'n01-console-sealing-setup');
    await panel.getByLabel('Backup passphrase (at least 12 characters)').fill(PASSPHRASE);
    await panel.getByLabel('Repeat the passphrase').fill('a different one entirely');
    await panel.getByRole('button', { name: 'Make my key' }).click();
    await panel.getByText('The two passphrases are not the same.').waitFor();
    await panel.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await panel.getByRole('button', { name: 'Make my key' }).click();
    await panel.getByText(/^Key fingerprint: [0-9A-F]{4} /u).waitFor({ timeout: STEP_MS });
    fingerprint = (await panel.locator('.sealing-fingerprint').innerText()).trim();
    await therapist.page.locator('form.create-session').getByLabel('Intake questionnaire').waitFor();

    const backup = await downloaded(therapist.page, () => panel.getByRole('button', { name: 'Download key backup' }).click());
    backupPath = backup.path;
    expect(backup.name).to.equal('alcove-sealing-key-backup.json');
    const file = JSON.parse(backup.text);
    expect(file).to.include({ format: 'alcove-sealing-key-backup', v: 1 });
    expect(file.kdf).to.include({ name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000 });
    const api = await loginTherapist(stack.t.origin, stack.therapist.email, stack.therapist.password);
    const onServer = (await api.call(HTTP_ROUTES.getSealingKey)).body.sealingKey;
    expect(onServer.publicKey).to.deep.equal(file.publicKey);
    // The private key is not extractable, and no script in the page can read it.
    const extractable = await therapist.page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const request = (globalThis as any).indexedDB.open('alcove-sealing');
          request.onsuccess = () => {
            const get = request.result.transaction('keys').objectStore('keys').getAll();
            get.onsuccess = () => resolve((get.result as any[]).some((held) => held.pair.privateKey.extractable));
          };
        }),
    );
    expect(extractable).to.equal(false);

    await therapist.page.reload();
    await panel.locator('.sealing-fingerprint', { hasText: fingerprint }).waitFor({ timeout: STEP_MS });
    await screenshot(therapist.page, 'n02-console-sealing-ready');
    await expectAccessible(therapist.page, 'sealing key ready');
    await inSpanish(therapist.page, 'n02-console-sealing-ready');
  });

  it('individual: the note appears only in the console, the answers open there and are saved to a file, and all is erased at the end', async () => {
    const links = await createWithIntake(therapist.page, 'individual', 'General background', 'How did you find us? | A friend | Online');
    const sessionId = await sessionIdOf(therapist.page);
    const ana = await person({ origin: stack.t.origin });
    await clientReadsNotice(ana.page, links[0]!);
    await clientChecksIn(ana.page, 'Ana', { camera: false });
    await ana.page.getByRole('heading', { name: 'Before your session: a few questions' }).waitFor();
    await ana.page.getByLabel('What brings you to therapy at this time?').fill(ANSWER_SOLO);
    await ana.page.getByRole('group', { name: 'Have you been in therapy before?' }).getByLabel('No', { exact: true }).check();
    await ana.page.getByRole('group', { name: 'How did you find us?' }).getByLabel('Online').check();
    await screenshot(ana.page, 'n03-client-intake-form');
    await expectAccessible(ana.page, 'client intake form');
    await inSpanish(ana.page, 'n03-client-intake-form');
    await ana.page.getByRole('button', { name: 'Send my answers privately' }).click();
    await ana.page.getByText(/Your answers were sent at/u).waitFor();

    await ana.page.getByLabel('Your note (optional)').fill(NOTE_SOLO);
    await screenshot(ana.page, 'n04-client-note-form');
    await expectAccessible(ana.page, 'client note form');
    await inSpanish(ana.page, 'n04-client-note-form');
    await ana.page.getByRole('button', { name: 'Send privately' }).click();
    await ana.page.getByText(/Sent at .*Only your therapist can read it\./u).waitFor();
    await ana.page.getByRole('button', { name: 'Replace my note' }).waitFor();

    const note = therapist.page.locator('.private-note', { hasText: NOTE_SOLO });
    await note.waitFor({ timeout: STEP_MS });
    expect(await note.locator('h4').innerText()).to.equal('Private note from Client (Ana)');
    const answers = therapist.page.locator('.intake-answers', { hasText: ANSWER_SOLO });
    await answers.waitFor();
    expect(await answers.innerText()).to.include('No').and.include('Online').and.include('How did you find us?');
    await screenshot(therapist.page, 'n05-console-note-and-intake');
    await expectAccessible(therapist.page, 'console note and intake');
    await inSpanish(therapist.page, 'n05-console-note-and-intake');

    const saved = await downloaded(therapist.page, () => therapist.page.getByRole('button', { name: 'Save answers to a file' }).click());
    expect(saved.name).to.match(/^alcove-intake-\d{4}-\d{2}-\d{2}\.txt$/u);
    expect(saved.text).to.include('Client (Ana)').and.include('What brings you to therapy at this time?').and.include(ANSWER_SOLO).and.include('Online');

    expect((await stack.t.app.redis.hGetAll(`${stack.t.config.redis.prefix}sealed:${sessionId}`))['form']).to.be.a('string');
    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await ana.page.getByRole('heading', { name: 'The session has ended' }).waitFor();
    expect(await stack.t.app.redis.exists(`${stack.t.config.redis.prefix}sealed:${sessionId}`)).to.equal(0);
  });

  it('attaches a questionnaire to a session made without one, takes it away, and keeps it once answered', async () => {
    const create = therapist.page.locator('form.create-session');
    await create.getByLabel('Individual', { exact: true }).check();
    // The form keeps the last session's choices: this one is made without a questionnaire.
    await create.getByLabel('Intake questionnaire').selectOption({ label: 'None' });
    await create.getByLabel('Your own questions (optional)').fill('');
    const previous = await therapist.page.locator('.session-panel').getAttribute('data-session-id').catch(() => null);
    await therapist.page.getByRole('button', { name: 'Create session' }).click();
    await therapist.page.waitForFunction((before) => {
      const panel = (globalThis as any).document.querySelector('.session-panel');
      return panel !== null && panel.getAttribute('data-session-id') !== before;
    }, previous);
    const link = await therapist.page.locator('.session-panel .invite-link input.link-text').first().inputValue();
    const sessionId = await sessionIdOf(therapist.page);
    const attach = therapist.page.locator('.session-panel .intake-attachment');
    await attach.getByText('No intake questionnaire is attached to this session.').waitFor();

    const noa = await person({ origin: stack.t.origin });
    await clientReadsNotice(noa.page, link);
    await clientChecksIn(noa.page, 'Noa', { camera: false });
    await noa.page.getByLabel('Your note (optional)').waitFor();
    expect(await noa.page.getByRole('heading', { name: 'Before your session: a few questions' }).count()).to.equal(0);

    // Nothing chosen: the console says so, and nothing is sent.
    await attach.getByRole('button', { name: 'Attach questionnaire' }).click();
    await attach.locator('[role="alert"]', { hasText: 'Choose a questionnaire or write a question first.' }).waitFor();
    await attach.getByLabel('Intake questionnaire').selectOption({ label: 'Sexual health history' });
    await attach.getByLabel('Your own questions (optional)').fill('What should I call you?');
    await screenshot(therapist.page, 'n09-console-attach-intake');
    await expectAccessible(therapist.page, 'attach a questionnaire');
    await inSpanish(therapist.page, 'n09-console-attach-intake');
    await attach.getByRole('button', { name: 'Attach questionnaire' }).click();
    await attach.getByText('Intake questionnaire: Sexual health history + your own questions (1).').waitFor({ timeout: STEP_MS });
    expect(await attach.locator('[role="alert"]').textContent()).to.equal('');
    // The waiting client is told (intake:changed) and is offered it at once.
    await noa.page.getByRole('heading', { name: 'Before your session: a few questions' }).waitFor({ timeout: STEP_MS });
    await noa.page.getByLabel('What should I call you?').waitFor();
    await screenshot(therapist.page, 'n10-console-intake-attached');
    await expectAccessible(therapist.page, 'questionnaire attached');
    await inSpanish(therapist.page, 'n10-console-intake-attached');

    // Taken away before anyone answered: gone from the client's waiting room too.
    await attach.getByRole('button', { name: 'Remove questionnaire' }).click();
    await attach.getByText('No intake questionnaire is attached to this session.').waitFor({ timeout: STEP_MS });
    await noa.page.getByRole('heading', { name: 'Before your session: a few questions' }).waitFor({ state: 'detached', timeout: STEP_MS });
    expect((await stack.t.app.redis.hGetAll(`${stack.t.config.redis.prefix}sealed:${sessionId}`))['form']).to.equal(undefined);

    // Attached again and answered: from then on it can no longer be changed or taken away.
    await attach.getByLabel('Your own questions (optional)').fill('Which name should I use for you?');
    await attach.getByRole('button', { name: 'Attach questionnaire' }).click();
    await attach.getByText('Intake questionnaire: your own questions (1).').waitFor({ timeout: STEP_MS });
    await noa.page.getByLabel('Which name should I use for you?').fill('Seededanswer Noa, please');
    await noa.page.getByRole('button', { name: 'Send my answers privately' }).click();
    await noa.page.getByText(/Your answers were sent at/u).waitFor();
    await therapist.page.locator('.intake-answers', { hasText: 'Seededanswer Noa, please' }).waitFor({ timeout: STEP_MS });
    await attach.getByRole('button', { name: 'Remove questionnaire' }).waitFor({ state: 'hidden' });
    expect(await attach.locator('form.intake-attach').isHidden()).to.equal(true);
    const refused = await therapist.page.evaluate(async (id) => {
      const response = await fetch(`/api/sessions/${id}/intake`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ intake: null }) });
      return { status: response.status, body: (await response.json()) as { error: { details: unknown } } };
    }, sessionId);
    expect(refused.status).to.equal(409);
    expect(refused.body.error.details).to.deep.equal({ reason: 'intake-answered' });

    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await noa.page.getByRole('heading', { name: 'The session has ended' }).waitFor();
    expect(await stack.t.app.redis.exists(`${stack.t.config.redis.prefix}sealed:${sessionId}`)).to.equal(0);
  });

  it('couple from two locations: Kai’s note reaches only the console, each partner’s answers stay apart, and a second browser opens them from the backup', async () => {
    const links = await createWithIntake(therapist.page, 'couple', 'Couples relationship');
    const sessionId = await sessionIdOf(therapist.page);
    const sam = await person({ origin: stack.t.origin });
    const kai = await person({ origin: stack.t.origin, viewport: { width: 390, height: 844 } });
    await clientReadsNotice(sam.page, links[0]!);
    await clientChecksIn(sam.page, 'Sam', { camera: false });
    await clientReadsNotice(kai.page, links[1]!);
    await clientChecksIn(kai.page, 'Kai', { camera: false });
    await waitForPresence(therapist.page, 'waiting', 2);

    await kai.page.getByLabel('Your note (optional)').fill(NOTE_KAI);
    await kai.page.getByRole('button', { name: 'Send privately' }).click();
    await kai.page.getByText(/Sent at/u).waitFor();
    const note = therapist.page.locator('.private-note', { hasText: NOTE_KAI });
    await note.waitFor({ timeout: STEP_MS });
    expect(await note.locator('h4').innerText()).to.equal('Private note from Partner 2 (Kai)');

    for (const [partner, answer] of [[sam, ANSWER_SAM], [kai, ANSWER_KAI]] as const) {
      await partner.page.getByLabel('How long have you been together, and how would you describe your relationship today?').fill(answer);
      await partner.page.getByRole('group', { name: /Do you ever feel afraid of your partner/u }).getByLabel(partner === kai ? 'Sometimes' : 'Never').check();
      await partner.page.getByRole('button', { name: 'Send my answers privately' }).click();
      await partner.page.getByText(/Your answers were sent at/u).waitFor();
    }
    await screenshot(kai.page, 'n06-phone-intake-sent');
    const samAnswers = therapist.page.locator('.intake-answers', { hasText: ANSWER_SAM });
    const kaiAnswers = therapist.page.locator('.intake-answers', { hasText: ANSWER_KAI });
    await Promise.all([samAnswers.waitFor({ timeout: STEP_MS }), kaiAnswers.waitFor({ timeout: STEP_MS })]);
    expect(await samAnswers.locator('h4').innerText()).to.equal('Intake answers from Partner 1 (Sam)');
    expect(await samAnswers.innerText()).to.not.include(ANSWER_KAI);
    expect(await kaiAnswers.innerText()).to.include('Sometimes').and.not.include(ANSWER_SAM);
    await screenshot(therapist.page, 'n07-console-couple-notes-and-intake');
    await expectAccessible(therapist.page, 'console couple intake');
    await inSpanish(therapist.page, 'n07-console-couple-notes-and-intake');

    // Sam's page never shows that Kai wrote a note, and neither partner sees the other's answers.
    const samText = await sam.page.locator('body').innerText();
    expect(samText).to.not.include(NOTE_KAI).and.not.include(ANSWER_KAI).and.not.include('Sent at');
    expect(await kai.page.locator('body').innerText()).to.not.include(ANSWER_SAM);

    // A second browser: no key until the backup is imported with the passphrase, then the same answers open.
    const laptop = await person({ origin: stack.t.origin });
    await therapistSignsIn(laptop.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const panel = laptop.page.locator('.sealing-panel');
    await panel.getByText('This browser does not hold your key.', { exact: false }).waitFor();
    await screenshot(laptop.page, 'n08-console-key-import');
    await expectAccessible(laptop.page, 'key import');
    await inSpanish(laptop.page, 'n08-console-key-import');
    await panel.getByLabel('Backup file').setInputFiles(backupPath);
    await panel.getByLabel('Backup passphrase (at least 12 characters)').fill('not the passphrase at all');
    await panel.getByRole('button', { name: 'Import key' }).click();
    await panel.getByText('That passphrase does not open this backup.').waitFor({ timeout: STEP_MS });
    await panel.getByLabel('Backup passphrase (at least 12 characters)').fill(PASSPHRASE);
    await panel.getByRole('button', { name: 'Import key' }).click();
    await panel.locator('.sealing-fingerprint', { hasText: fingerprint }).waitFor({ timeout: STEP_MS });
    await laptop.page.locator('.session-item').first().click();
    await laptop.page.locator('.intake-answers', { hasText: ANSWER_KAI }).waitFor({ timeout: STEP_MS });
    await laptop.page.locator('.private-note', { hasText: NOTE_KAI }).waitFor();
    expect(await laptop.page.locator('.session-panel').getAttribute('data-session-id')).to.equal(sessionId);

    // No plaintext in any frame the server handled, in Redis or in the logs.
    const plain = [NOTE_SOLO, NOTE_KAI, ANSWER_SOLO, ANSWER_SAM, ANSWER_KAI, 'Seedednote', 'Seededanswer', PASSPHRASE];
    expect(frames.length, 'socket frames tapped').to.be.greaterThan(20);
    const wire = frames.join('\n');
    const stored = await redisDump();
    const logs = stack.t.logs.join('\n');
    for (const needle of plain) {
      expect(wire.includes(needle), `a socket frame holds "${needle}"`).to.equal(false);
      expect(stored.includes(needle), `Redis holds "${needle}"`).to.equal(false);
      expect(logs.includes(needle), `a log line holds "${needle}"`).to.equal(false);
    }
    expect(stored).to.include(`sealed:${sessionId}`);

    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await Promise.all([sam.page, kai.page].map((page) => page.getByRole('heading', { name: 'The session has ended' }).waitFor()));
    expect(await stack.t.app.redis.exists(`${stack.t.config.redis.prefix}sealed:${sessionId}`)).to.equal(0);
    for (const p of people) {
      expect(await p.cspViolations()).to.deep.equal([]);
      expect(p.pageErrors).to.deep.equal([]);
    }
  });
});
