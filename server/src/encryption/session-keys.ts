import { randomBytes } from 'node:crypto';
import { E2EE_KEYRING_SIZE, KEY_READY_TIMEOUT_MS, type E2eeKeyFact, type KeyActivatedFact } from '@alcove/shared';
import { AppError } from '../app-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import type { ParticipantStore } from '../sessions/participant-records.ts';
import type { SessionRecord, SessionStore } from '../sessions/session-records.ts';

/** 256 random bits per session; the browser's key provider derives the frame key from it. */
const KEY_BYTES = 32;

export interface StoredSessionKey {
  key: string;
  keyIndex: number;
}

/** Where the current media key of a session lives (Redis). Never LiveKit, never a log. */
export interface SessionKeyStore {
  get(sessionId: string): Promise<StoredSessionKey | null>;
  /** Creates the key only if none exists; returns the one in force. */
  createIfAbsent(sessionId: string, key: StoredSessionKey, expiresAt: number): Promise<StoredSessionKey>;
  /** Replaces the key with the next index; returns the new one. */
  rotate(sessionId: string, key: string, expiresAt: number): Promise<StoredSessionKey | null>;
}

/** How many browsers said they hold a rotated key, and whether some had not answered in time. */
export interface KeyReadiness {
  ready: number;
  timedOut: boolean;
}

/** Delivers a rotated key to everyone still allowed in the call, then tells them to use it. */
export interface KeyDelivery {
  /** Resolves once every browser of these people has answered, or after `timeoutMs`. Never rejects. */
  keyRotated(sessionId: string, therapistId: string, participantIds: string[], fact: E2eeKeyFact, timeoutMs: number): Promise<KeyReadiness>;
  keyActivated(sessionId: string, therapistId: string, participantIds: string[], fact: KeyActivatedFact): void;
}

export interface SessionKeysDeps {
  keys: SessionKeyStore;
  sessionStore: SessionStore;
  participants: ParticipantStore;
  delivery: KeyDelivery;
  audit: AuditTrail;
  logger: Logger;
  /** Session keys live no longer than the session's data. */
  expiresAtFor: (session: SessionRecord) => number;
}

export interface SessionKeys {
  /** Called when a session starts: one random key per session. */
  ensure(session: SessionRecord): Promise<StoredSessionKey>;
  /** The key for an admitted participant of a live session, or the session's therapist. */
  forParticipant(participantId: string, sessionId: string): Promise<E2eeKeyFact>;
  forTherapist(session: SessionRecord): Promise<E2eeKeyFact>;
  /**
   * After a removal: a fresh key, sent only to those who remain. Resolves once it is stored
   * and on its way; the switch to it (`keyActivated`) follows when everyone holds it.
   */
  rotate(session: SessionRecord): Promise<void>;
}

const newKey = () => randomBytes(KEY_BYTES).toString('base64url');

export function createSessionKeys(deps: SessionKeysDeps): SessionKeys {
  /**
   * A receiver drops (and reports) every frame under a key index it does not hold, so
   * nobody may encrypt with the new key before everyone who stays has it. Until the
   * switch everyone keeps encrypting with the old key, which they all still hold; the
   * removed person cannot use it, being out of the media room already.
   */
  async function activateWhenReady(session: SessionRecord, participantIds: string[], fact: E2eeKeyFact): Promise<void> {
    const started = performance.now();
    const readiness = await deps.delivery.keyRotated(session.id, session.therapistId, participantIds, fact, KEY_READY_TIMEOUT_MS);
    deps.delivery.keyActivated(session.id, session.therapistId, participantIds, { sessionId: session.id, keyIndex: fact.keyIndex });
    deps.logger.info('session key activated', {
      event: 'e2ee.key-activated',
      sessionId: session.id,
      count: readiness.ready,
      reason: readiness.timedOut ? 'timeout' : 'all-ready',
      durationMs: Math.round(performance.now() - started),
    });
  }

  async function current(session: SessionRecord): Promise<E2eeKeyFact> {
    if (session.status !== 'live') throw AppError.conflict({ reason: 'not-started' });
    const stored = await deps.keys.get(session.id);
    if (!stored) throw AppError.unavailable();
    return { sessionId: session.id, key: stored.key, keyIndex: stored.keyIndex % E2EE_KEYRING_SIZE };
  }

  return {
    ensure(session) {
      return deps.keys.createIfAbsent(session.id, { key: newKey(), keyIndex: 0 }, deps.expiresAtFor(session));
    },

    async forParticipant(participantId, sessionId) {
      const [participant, session] = await Promise.all([deps.participants.getParticipant(participantId), deps.sessionStore.getSession(sessionId)]);
      if (!session || session.status === 'ended') throw AppError.sessionEnded();
      if (!participant || participant.sessionId !== sessionId || participant.status !== 'admitted') {
        throw new AppError('not_admitted');
      }
      return current(session);
    },

    forTherapist: current,

    async rotate(session) {
      if (session.status !== 'live') return;
      const rotated = await deps.keys.rotate(session.id, newKey(), deps.expiresAtFor(session));
      if (!rotated) return;
      const remaining = (await deps.participants.listParticipants(session.id)).filter((p) => p.status === 'admitted').map((p) => p.id);
      const fact = { sessionId: session.id, key: rotated.key, keyIndex: rotated.keyIndex % E2EE_KEYRING_SIZE };
      deps.audit.record('key-rotated', { sessionId: session.id, therapistId: session.therapistId });
      deps.logger.info('session key rotated', { event: 'e2ee.key-rotated', sessionId: session.id, count: rotated.keyIndex });
      // Not awaited: the removal is done; waiting for every browser must not hold up the therapist's answer.
      void activateWhenReady(session, remaining, fact).catch((error: unknown) =>
        deps.logger.error('session key activation failed', { event: 'e2ee.key-activated', sessionId: session.id, errorName: (error as Error)?.name }),
      );
    },
  };
}
