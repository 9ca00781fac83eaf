/**
 * Private notes and sealed intake through the real app (real Redis): who may file what, what
 * each side learns, what is refused before it is stored, and what is left afterwards — only
 * envelopes while the session runs, nothing once it ended, and never a word of plaintext in
 * Redis or the logs.
 */
import { expect } from 'chai';
import {
  COMMANDS,
  FACTS,
  HTTP_ROUTES,
  encodeIntakeAnswers,
  generateCallKeyPair,
  openSealed,
  parseIntakeAnswers,
  sealForTherapist,
  type CallKeyPair,
  type IntakeQuestionnaire,
  type SealedEnvelope,
} from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';

/** An ack read loosely: each case checks `ok`, `data` or `error` as it expects. */
const ask = (...args: Parameters<typeof command>): Promise<any> => command(...args);

const NOTE_TEXT = 'Seedednote: I would like a moment alone with you first';
const ANSWER_TEXT = 'Seededanswer about our story';
const FORM: IntakeQuestionnaire = { template: 'couples', questions: [{ id: 'c1', kind: 'text', prompt: 'Seededprompt anything else?' }] };

describe('sealed notes and intake', function () {
  this.timeout(30_000);
  let t: TestApp;
  let therapist: TherapistClient;
  let stranger: TherapistClient;
  let consoleSocket: TypedClientSocket;
  let strangerSocket: TypedClientSocket;
  let sealing: CallKeyPair;
  let couple: Awaited<ReturnType<TherapistClient['createSession']>>;
  let other: Awaited<ReturnType<TherapistClient['createSession']>>;
  let sam: TypedClientSocket;
  let kai: TypedClientSocket;
  let outsider: TypedClientSocket;
  const kaiHeard: string[] = [];

  before(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'debug' } });
    const [account, otherAccount] = await Promise.all([t.addTherapist(), t.addTherapist('Dr. Other')]);
    therapist = await loginTherapist(t.origin, account.email, account.password);
    stranger = await loginTherapist(t.origin, otherAccount.email, otherAccount.password);
    consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    strangerSocket = await connectTherapist(t.origin, stranger.cookie);
  });
  after(async () => {
    for (const s of [consoleSocket, strangerSocket, sam, kai, outsider]) s?.close();
    await t.close();
  });

  const seal = (participantId: string, purpose: 'note' | 'intake', bytes: Uint8Array, sessionId = couple.session.sessionId) =>
    sealForTherapist({ sessionId, participantId, purpose }, sealing.publicKey, bytes);
  const samId = () => couple.invites[0]!.participantId;
  const kaiId = () => couple.invites[1]!.participantId;

  it('offers nothing to seal, and refuses an intake, while the therapist has no sealing key', async () => {
    expect((await therapist.call(HTTP_ROUTES.getSealingKey)).body).to.deep.equal({ sealingKey: null });
    const refused = await therapist.call(HTTP_ROUTES.createSession, { body: { kind: 'couple', intake: FORM } });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.details).to.deep.equal({ reason: 'no-sealing-key' });
    couple = await therapist.createSession('couple');
    sam = await connectClient(t.origin, couple.secrets[0]!, newDeviceId());
    await ask(sam, COMMANDS.checkIn, { displayName: 'Seededsam Name' });
    const described = await ask(sam, COMMANDS.describeSealedForms, {});
    expect(described.data).to.include({ sealingKey: null, intake: null, noteSentAt: null });
  });

  it('keeps only the sealing public key on the server', async () => {
    sealing = await generateCallKeyPair('X25519');
    const set = await therapist.call(HTTP_ROUTES.setSealingKey, { body: { publicKey: sealing.publicKey } });
    expect(set.status).to.equal(200);
    expect(set.body.sealingKey.publicKey).to.deep.equal(sealing.publicKey);
    expect((await therapist.call(HTTP_ROUTES.setSealingKey, { body: { publicKey: sealing.publicKey, privateKey: 'x' } })).status).to.equal(400);
    expect((await therapist.call(HTTP_ROUTES.setSealingKey, { body: { publicKey: { curve: 'X25519', key: 'short' } } })).status).to.equal(400);
    expect((await stranger.call(HTTP_ROUTES.getSealingKey)).body).to.deep.equal({ sealingKey: null });
  });

  it('lets the therapist attach a questionnaire, and tells the waiting clients to look again', async () => {
    const told = nextEvent(sam, FACTS.intakeChanged);
    const attached = await therapist.call(HTTP_ROUTES.attachIntake, { params: { sessionId: couple.session.sessionId }, body: { intake: FORM } });
    expect(attached.status).to.equal(200);
    await told;
    const described = await ask(sam, COMMANDS.describeSealedForms, {});
    expect(described.data).to.deep.include({ sessionId: couple.session.sessionId, participantId: samId(), sealingKey: sealing.publicKey, intake: FORM });
    kai = await connectClient(t.origin, couple.secrets[1]!, newDeviceId());
    await ask(kai, COMMANDS.checkIn, { displayName: 'Seededkai Name' });
    for (const fact of Object.values(FACTS)) (kai as any).on(fact, () => kaiHeard.push(fact));
  });

  it('refuses a questionnaire of the wrong shape or size, and one for a session the therapist does not own', async () => {
    const sessionId = couple.session.sessionId;
    const bad = [
      { template: 'nope', questions: [] },
      { template: null, questions: [] },
      { template: null, questions: [{ id: 'c1', kind: 'text', prompt: 'x'.repeat(301) }] },
      { template: null, questions: [{ id: 'c1', kind: 'choice', prompt: 'x', options: ['one'], multiple: false }] },
      { template: null, questions: [{ id: 'c1', kind: 'text', prompt: 'a' }, { id: 'c1', kind: 'text', prompt: 'b' }] },
      { template: null, questions: Array.from({ length: 11 }, (_x, i) => ({ id: `c${i + 1}`, kind: 'text', prompt: 'q' })) },
      { template: null, questions: [{ id: 'c1', kind: 'text', prompt: 'bidi \u202e trick' }] },
      { template: null, questions: [{ id: 'q1', kind: 'text', prompt: 'id' }] },
      { ...FORM, answers: {} },
    ];
    for (const intake of bad) expect((await therapist.call(HTTP_ROUTES.attachIntake, { params: { sessionId }, body: { intake } })).status, JSON.stringify(intake)).to.equal(400);
    expect((await stranger.call(HTTP_ROUTES.attachIntake, { params: { sessionId }, body: { intake: FORM } })).status).to.equal(404);
  });

  it('files a sealed note under its sender alone and tells only the owning therapist', async () => {
    const arrived = nextEvent(consoleSocket, FACTS.privateNoteReceived);
    let strangerHeard = false;
    strangerSocket.on(FACTS.privateNoteReceived, () => (strangerHeard = true));
    const sent = await ask(kai, COMMANDS.sendPrivateNote, { envelope: await seal(kaiId(), 'note', new TextEncoder().encode(NOTE_TEXT)) });
    expect(sent.ok).to.equal(true);
    expect(await arrived).to.deep.equal({ sessionId: couple.session.sessionId, participantId: kaiId(), at: sent.data.sentAt });
    const inbox = await ask(consoleSocket, COMMANDS.listSealed, { sessionId: couple.session.sessionId });
    expect(inbox.data.notes.map((n: { participantId: string }) => n.participantId)).to.deep.equal([kaiId()]);
    const opened = await openSealed({ sessionId: couple.session.sessionId, participantId: kaiId(), purpose: 'note' }, inbox.data.notes[0].envelope, sealing);
    expect(new TextDecoder().decode(opened)).to.equal(NOTE_TEXT);
    expect(strangerHeard).to.equal(false);
  });

  it('never lets the other partner learn that a note exists', async () => {
    const samSees = await ask(sam, COMMANDS.describeSealedForms, {});
    expect(samSees.data.noteSentAt).to.equal(null);
    expect(JSON.stringify(samSees.data)).to.not.include(kaiId());
    expect((await ask(kai, COMMANDS.describeSealedForms, {})).data.noteSentAt).to.be.a('number');
    expect((await ask(sam, COMMANDS.listSealed, { sessionId: couple.session.sessionId })).ok).to.equal(false);
  });

  it('lets a client replace their note, never add a second one', async () => {
    await ask(kai, COMMANDS.sendPrivateNote, { envelope: await seal(kaiId(), 'note', new TextEncoder().encode('Seededreplacement')) });
    const inbox = await ask(consoleSocket, COMMANDS.listSealed, { sessionId: couple.session.sessionId });
    expect(inbox.data.notes).to.have.length(1);
  });

  it('refuses envelopes of the wrong shape, size, purpose or recipient before storing them', async () => {
    const note = await seal(kaiId(), 'note', new TextEncoder().encode('x'));
    const intake = await seal(kaiId(), 'intake', encodeIntakeAnswers({}));
    const p256 = await generateCallKeyPair('P-256');
    const cases: Array<[string, unknown]> = [
      ['extra field', { envelope: { ...note, extra: 1 } }],
      ['participant named', { envelope: note, participantId: samId() }],
      ['short data', { envelope: { ...note, data: note.data.slice(0, -4) } }],
      ['oversized data', { envelope: { ...note, data: note.data + 'AAAA' } }],
      ['intake as note', { envelope: intake }],
      ['curves mixed', { envelope: { ...note, from: p256.publicKey } }],
      ['not base64url', { envelope: { ...note, iv: '!!!!!!!!!!!!!!!!' } }],
      ['version', { envelope: { ...note, v: 2 } }],
      ['plain text', { text: NOTE_TEXT }],
    ];
    for (const [name, payload] of cases) expect((await ask(kai, COMMANDS.sendPrivateNote, payload)).error?.code, name).to.equal('bad_request');
    const toOther = { ...note, to: (await generateCallKeyPair('X25519')).publicKey };
    expect((await ask(kai, COMMANDS.sendPrivateNote, { envelope: toOther })).error?.details).to.deep.equal({ reason: 'sealing-key-changed' });
    const inbox = await ask(consoleSocket, COMMANDS.listSealed, { sessionId: couple.session.sessionId });
    expect(inbox.data.notes).to.have.length(1);
  });

  it('refuses a therapist who does not own the session, and a client of another session', async () => {
    const sessionId = couple.session.sessionId;
    expect((await ask(strangerSocket, COMMANDS.listSealed, { sessionId })).error?.code).to.equal('not_found');
    other = await therapist.createSession('individual');
    outsider = await connectClient(t.origin, other.secrets[0]!, newDeviceId());
    // Not checked in yet: nothing to write from.
    expect((await ask(outsider, COMMANDS.describeSealedForms, {})).error?.details).to.deep.equal({ reason: 'not-checked-in' });
    await ask(outsider, COMMANDS.checkIn, { displayName: 'Seededoutsider' });
    // Sealed for the couple's session, sent from the other one: filed in its own session, where it opens for nobody.
    const stray = await seal(kaiId(), 'note', new TextEncoder().encode('x'));
    expect((await ask(outsider, COMMANDS.sendPrivateNote, { envelope: stray })).ok).to.equal(true);
    const inbox = await ask(consoleSocket, COMMANDS.listSealed, { sessionId: other.session.sessionId });
    const item = inbox.data.notes[0];
    expect(item.participantId).to.equal(other.invites[0]!.participantId);
    let refused = false;
    await openSealed({ sessionId: other.session.sessionId, participantId: item.participantId, purpose: 'note' }, item.envelope, sealing).catch(() => (refused = true));
    expect(refused).to.equal(true);
    expect((await ask(consoleSocket, COMMANDS.listSealed, { sessionId: couple.session.sessionId })).data.notes).to.have.length(1);
    expect((await ask(outsider, COMMANDS.submitIntake, { envelope: await seal(other.invites[0]!.participantId, 'intake', encodeIntakeAnswers({}), other.session.sessionId) })).error?.details).to.deep.equal({ reason: 'no-intake' });
  });

  it('keeps each partner’s answers apart, opens them in the console, and freezes the questionnaire once answered', async () => {
    const answered = nextEvent(consoleSocket, FACTS.intakeSubmitted);
    const answers = { 'cp-story': ANSWER_TEXT, 'cp-safety': ['sometimes'], c1: 'Seededcustom answer' };
    const submitted = await ask(sam, COMMANDS.submitIntake, { envelope: await seal(samId(), 'intake', encodeIntakeAnswers(answers)) });
    expect(submitted.ok).to.equal(true);
    expect((await answered).participantId).to.equal(samId());
    const inbox = await ask(consoleSocket, COMMANDS.listSealed, { sessionId: couple.session.sessionId });
    expect(inbox.data.intake).to.deep.equal(FORM);
    expect(inbox.data.intakes.map((i: { participantId: string }) => i.participantId)).to.deep.equal([samId()]);
    const opened = await openSealed({ sessionId: couple.session.sessionId, participantId: samId(), purpose: 'intake' }, inbox.data.intakes[0].envelope as SealedEnvelope, sealing);
    expect(parseIntakeAnswers(opened, FORM)).to.deep.equal(answers);
    expect((await ask(kai, COMMANDS.describeSealedForms, {})).data.intakeSubmittedAt).to.equal(null);
    const frozen = await therapist.call(HTTP_ROUTES.attachIntake, { params: { sessionId: couple.session.sessionId }, body: { intake: null } });
    expect(frozen.body.error.details).to.deep.equal({ reason: 'intake-answered' });
    // Sam heard nothing of Kai's note, and Kai nothing of Sam's answers.
    expect(kaiHeard).to.not.include(FACTS.privateNoteReceived).and.to.not.include(FACTS.intakeSubmitted);
  });

  it('holds envelopes only, with the session’s lifetime, and no plaintext in Redis, logs or the audit trail', async () => {
    const redis = t.app.redis;
    const inboxKey = `${t.config.redis.prefix}sealed:${couple.session.sessionId}`;
    const sessionTtl = await redis.pTTL(`${t.config.redis.prefix}session:${couple.session.sessionId}`);
    const ttl = await redis.pTTL(inboxKey);
    expect(ttl).to.be.greaterThan(0);
    expect(Math.abs(ttl - sessionTtl)).to.be.lessThan(5_000);
    const stored = JSON.stringify(await redis.hGetAll(inboxKey));
    for (const needle of [NOTE_TEXT, 'Seedednote', 'Seededreplacement', ANSWER_TEXT, 'Seededanswer', 'Seededcustom', 'sometimes']) expect(stored).to.not.include(needle);
    expect(stored).to.include('Seededprompt'); // the questionnaire is the therapist's own text, kept plain on purpose
    const audit = await t.app.audit.list({});
    const events = audit.map((e) => e.event);
    expect(events).to.include.members(['sealing-key-set', 'intake-attached', 'private-note-received', 'intake-submitted']);
    for (const entry of audit) expect(Object.keys(entry).sort()).to.satisfy((k: string[]) => k.every((f) => ['id', 'at', 'event', 'therapistId', 'sessionId', 'participantId', 'reason'].includes(f)));
    const logs = t.logs.join('\n');
    for (const needle of ['Seedednote', 'Seededreplacement', 'Seededanswer', 'Seededcustom', 'Seededprompt', sealing.publicKey.key]) expect(logs).to.not.include(needle);
  });

  it('erases notes, answers and the questionnaire when the session ends', async () => {
    await ask(consoleSocket, COMMANDS.endSession, { sessionId: couple.session.sessionId });
    expect(await t.app.redis.exists(`${t.config.redis.prefix}sealed:${couple.session.sessionId}`)).to.equal(0);
    const keys = await t.app.redis.keys(`${t.config.redis.prefix}*`);
    expect(keys.filter((k) => k.includes(couple.session.sessionId) && !k.endsWith(`session:${couple.session.sessionId}`))).to.deep.equal([]);
    // The sealing public key is the account's, kept like the account.
    expect(await t.app.redis.pTTL(`${t.config.redis.prefix}therapist-sealing-key:${(await therapist.call(HTTP_ROUTES.me)).body.therapist.therapistId}`)).to.equal(-1);
  });
});
