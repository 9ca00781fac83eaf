/**
 * Private notes and sealed intake: what a client writes for the therapist alone. The client's
 * browser seals it to the therapist's sealing public key (shared/src/sealed-box.ts); this module
 * checks who may file what, stores the envelope with the session's lifetime, and tells only the
 * owning therapist that something arrived. It cannot open anything: the server holds the sealing
 * *public* key only.
 *
 * A client never names a participant: what it sends is filed under the participant its own
 * invite resolved to, and it reads back only its own timestamps. The other partner learns nothing
 * (no fact goes to clients when a note arrives).
 */
import { isSamePublicKey, type IntakeQuestionnaire, type PublicKeyTag, type SealedArrivedFact, type SealedEnvelope, type SealedFormsResult, type SealedInboxResult, type SealedItem, type SealedPurpose } from '@alcove/shared';
import { allows } from '../presence/participant-lifecycle.ts';
import { AppError } from '../app-error.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import type { Logger } from '../observability/logger.ts';
import type { ParticipantStore } from '../sessions/participant-records.ts';
import type { SessionRecord, SessionStore } from '../sessions/session-records.ts';

export interface StoredSealingKey {
  publicKey: PublicKeyTag;
  createdAt: number;
}

/** The therapist's sealing public key: account data (it lives as long as the account). */
export interface SealingKeyStore {
  get(therapistId: string): Promise<StoredSealingKey | null>;
  put(therapistId: string, key: StoredSealingKey): Promise<void>;
}

/** One session's questionnaire and sealed envelopes (Redis, with the session's lifetime; erased with the session). */
export interface SealedInboxStore {
  getForm(sessionId: string): Promise<IntakeQuestionnaire | null>;
  /** Sets (or with null clears) the form unless someone has answered it; never once the session ended. */
  putFormIfUnanswered(sessionId: string, form: IntakeQuestionnaire | null, expiresAt: number): Promise<'set' | 'answered' | 'ended'>;
  /** Files one participant's note or answers (replacing theirs); answers only while a form is attached; never once the session ended. */
  putItem(sessionId: string, purpose: SealedPurpose, item: SealedItem, expiresAt: number): Promise<'filed' | 'no-form' | 'ended'>;
  list(sessionId: string): Promise<{ notes: SealedItem[]; intakes: SealedItem[] }>;
}

/** What the inbox tells people; the Socket.io transport implements it. */
export interface SealedInboxNotifier {
  /** To the session's therapist only. */
  sealedArrived(therapistId: string, purpose: SealedPurpose, fact: SealedArrivedFact): void;
  /** To the session's clients: the questionnaire changed, ask again. */
  intakeChanged(sessionId: string): void;
}

export interface SealedInboxDeps {
  keys: SealingKeyStore;
  store: SealedInboxStore;
  sessionStore: SessionStore;
  participants: ParticipantStore;
  notifier: SealedInboxNotifier;
  logger: Logger;
  audit: AuditTrail;
  now: () => number;
  /** Sealed data lives no longer than the session's data. */
  expiresAtFor: (session: SessionRecord) => number;
}

export interface SealedInbox {
  sealingKey(therapistId: string): Promise<StoredSealingKey | null>;
  setSealingKey(therapistId: string, publicKey: PublicKeyTag): Promise<StoredSealingKey>;
  /** Refuses (conflict `no-sealing-key`) a therapist who has no sealing key: intake cannot be sealed to nobody. */
  requireSealingKey(therapistId: string): Promise<void>;
  attachIntake(session: SessionRecord, form: IntakeQuestionnaire | null): Promise<IntakeQuestionnaire | null>;
  describe(client: SealedSender): Promise<SealedFormsResult>;
  file(client: SealedSender, purpose: SealedPurpose, envelope: SealedEnvelope): Promise<number>;
  list(session: SessionRecord): Promise<SealedInboxResult>;
}

/** A client as its connection knows it: ids the server resolved from the invite, never from the payload. */
export interface SealedSender {
  sessionId: string;
  participantId: string;
}


export function createSealedInbox(deps: SealedInboxDeps): SealedInbox {
  async function liveSession(sessionId: string): Promise<SessionRecord> {
    const session = await deps.sessionStore.getSession(sessionId);
    if (!session || session.status === 'ended' || deps.now() >= session.closesAt) throw AppError.sessionEnded();
    return session;
  }

  async function writer(client: SealedSender): Promise<SessionRecord> {
    const [session, participant] = await Promise.all([liveSession(client.sessionId), deps.participants.getParticipant(client.participantId)]);
    if (!participant || participant.sessionId !== client.sessionId || !allows(participant.status, 'send-sealed')) {
      // Checked in and not left or removed, by the lifecycle table.
      throw AppError.conflict({ reason: 'not-checked-in' });
    }
    return session;
  }

  return {
    sealingKey: (therapistId) => deps.keys.get(therapistId),

    async setSealingKey(therapistId, publicKey) {
      const key = { publicKey, createdAt: deps.now() };
      await deps.keys.put(therapistId, key);
      deps.logger.info('sealing key set', { event: 'sealed.key-set', therapistId });
      deps.audit.record('sealing-key-set', { therapistId });
      return key;
    },

    async requireSealingKey(therapistId) {
      if (!(await deps.keys.get(therapistId))) throw AppError.conflict({ reason: 'no-sealing-key' });
    },

    async attachIntake(session, form) {
      if (session.status === 'ended') throw AppError.sessionEnded();
      if (form) await this.requireSealingKey(session.therapistId);
      const outcome = await deps.store.putFormIfUnanswered(session.id, form, deps.expiresAtFor(session));
      if (outcome === 'ended') throw AppError.sessionEnded();
      if (outcome === 'answered') throw AppError.conflict({ reason: 'intake-answered' });
      deps.notifier.intakeChanged(session.id);
      deps.logger.info('intake attached', { event: 'sealed.intake-attached', sessionId: session.id, count: form?.questions.length ?? 0 });
      deps.audit.record('intake-attached', { sessionId: session.id, therapistId: session.therapistId, reason: form ? (form.template ?? 'custom') : 'none' });
      return form;
    },

    async describe(client) {
      const session = await writer(client);
      const [key, form, items] = await Promise.all([deps.keys.get(session.therapistId), deps.store.getForm(session.id), deps.store.list(session.id)]);
      const own = (list: SealedItem[]) => list.find((i) => i.participantId === client.participantId)?.at ?? null;
      return {
        sessionId: session.id,
        participantId: client.participantId,
        sealingKey: key?.publicKey ?? null,
        // Without a key nothing can be sealed, so nothing is offered.
        intake: key ? form : null,
        noteSentAt: own(items.notes),
        intakeSubmittedAt: own(items.intakes),
      };
    },

    async file(client, purpose, envelope) {
      const session = await writer(client);
      const key = await deps.keys.get(session.therapistId);
      if (!key) throw AppError.conflict({ reason: 'no-sealing-key' });
      // Sealed to a key the therapist replaced: nobody could open it; the client seals again.
      if (!isSamePublicKey(envelope.to, key.publicKey)) throw AppError.conflict({ reason: 'sealing-key-changed' });
      const at = deps.now();
      const item: SealedItem = { participantId: client.participantId, envelope, at };
      const outcome = await deps.store.putItem(session.id, purpose, item, deps.expiresAtFor(session));
      if (outcome === 'ended') throw AppError.sessionEnded();
      if (outcome === 'no-form') throw AppError.conflict({ reason: 'no-intake' });
      deps.notifier.sealedArrived(session.therapistId, purpose, { sessionId: session.id, participantId: client.participantId, at });
      deps.logger.info(purpose === 'note' ? 'private note received' : 'intake submitted', {
        event: purpose === 'note' ? 'sealed.note-received' : 'sealed.intake-submitted',
        sessionId: session.id,
        participantId: client.participantId,
      });
      deps.audit.record(purpose === 'note' ? 'private-note-received' : 'intake-submitted', { sessionId: session.id, participantId: client.participantId });
      return at;
    },

    async list(session) {
      if (session.status === 'ended') throw AppError.sessionEnded();
      const [form, items] = await Promise.all([deps.store.getForm(session.id), deps.store.list(session.id)]);
      return { sessionId: session.id, intake: form, ...items };
    },
  };
}
