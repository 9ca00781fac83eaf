/**
 * Who is in a call, by public key, and the relay of sealed media keys: all the server does for
 * end-to-end encryption. The browsers make the keys (the therapist's console makes the media key
 * and wraps it to each admitted person's public key); the server keeps the members' public keys,
 * tells everyone in the call who is in it, and carries envelopes it cannot open from the
 * session's therapist to one admitted participant. It holds no key that decrypts anything.
 */
import { KEY_READY_TIMEOUT_MS, THERAPIST_MEMBER_ID, type CallMember, type CallMemberRole, type KeyEnvelope, type PublicKeyTag, type ResourceEnvelope } from '@alcove/shared';
import { AppError } from '../app-error.ts';
import type { Logger } from '../observability/logger.ts';
import { allows } from '../presence/participant-lifecycle.ts';
import type { ParticipantRecord, ParticipantStore } from '../sessions/participant-records.ts';
import type { SessionRecord, SessionStore } from '../sessions/session-records.ts';
import type { TherapistStore } from '../therapists/therapist-records.ts';

/** A member as stored: public keys only (the label is read from the participant or account when the list is sent). */
export interface StoredCallMember {
  memberId: string;
  role: CallMemberRole;
  publicKeys: PublicKeyTag[];
}

/** Where a call's member list lives (Redis, with the session's lifetime; erased with the session). */
export interface CallMemberStore {
  list(sessionId: string): Promise<StoredCallMember[]>;
  put(sessionId: string, member: StoredCallMember, expiresAt: number): Promise<void>;
  /** Whether the member was in the list. */
  remove(sessionId: string, memberId: string): Promise<boolean>;
}

/** What the relay tells people; the Socket.io transport implements it. */
export interface KeyRelay {
  /** The whole list, to the session's therapist and to every admitted participant. */
  membersChanged(therapistId: string, participantIds: string[], fact: { sessionId: string; members: CallMember[] }): void;
  /** One envelope to one participant's sockets; true once its browser says it installed the key, false after `timeoutMs`. Never rejects. */
  keySent(participantId: string, fact: { sessionId: string; envelope: KeyEnvelope }, timeoutMs: number): Promise<boolean>;
  /** A sealed take-home list to one participant's sockets; nothing of it is kept. */
  resourcesSent(participantId: string, fact: { sessionId: string; envelope: ResourceEnvelope }): void;
  /** Everyone admitted encrypts with this key index from now on (`call:key-activated`). */
  switchKey(participantIds: string[], fact: { sessionId: string; keyIndex: number }): void;
}

export interface CallMembersDeps {
  store: CallMemberStore;
  sessionStore: SessionStore;
  participants: ParticipantStore;
  therapists: Pick<TherapistStore, 'get'>;
  relay: KeyRelay;
  logger: Logger;
  /** The list lives no longer than the session's data. */
  expiresAtFor: (session: SessionRecord) => number;
}

export interface CallMembers {
  /**
   * An admitted participant's browser announces its public key; answers the current list. A waiting
   * one stages it: kept, shown to nobody, answered with an empty list (a waiting client sees no one),
   * and listed the moment it is admitted (`admitted`).
   */
  announceClient(participantId: string, sessionId: string, publicKeys: PublicKeyTag[]): Promise<CallMember[]>;
  /**
   * Just admitted: if their browser staged its key while waiting, everyone in the call is told now,
   * so the console seals them the media key while their page is still fetching its token.
   */
  admitted(session: SessionRecord, participantId: string): Promise<void>;
  /** The therapist's console (one key per curve it has) for a live session it owns. */
  announceTherapist(session: SessionRecord, publicKeys: PublicKeyTag[]): Promise<CallMember[]>;
  /** Relays a sealed key from the session's therapist to one admitted participant. */
  sendKey(session: SessionRecord, participantId: string, envelope: KeyEnvelope): Promise<{ installed: boolean }>;
  /** Relays a sealed take-home list from the session's therapist to one admitted participant; never stored. */
  sendResources(session: SessionRecord, participantId: string, envelope: ResourceEnvelope): Promise<void>;
  /** The console says: everyone encrypts with `keyIndex` now. */
  activate(session: SessionRecord, keyIndex: number): Promise<void>;
  /** Removed, sent back or left (a participant id), or the console left its call (`therapist`): out of the list, and everyone who stays is told. */
  drop(sessionId: string, memberId: string): Promise<void>;
}

export function createCallMembers(deps: CallMembersDeps): CallMembers {
  async function admittedIds(sessionId: string): Promise<string[]> {
    return (await deps.participants.listParticipants(sessionId)).filter((p) => allows(p.status, 'exchange-keys')).map((p) => p.id);
  }

  /** The list as browsers see it: only members still entitled to be in the call, with the names the tiles show. */
  async function currentList(session: SessionRecord): Promise<{ members: CallMember[]; admitted: string[] }> {
    const [stored, participants, therapist] = await Promise.all([
      deps.store.list(session.id),
      deps.participants.listParticipants(session.id),
      deps.therapists.get(session.therapistId),
    ]);
    const byId = new Map(participants.map((p) => [p.id, p]));
    const members: CallMember[] = [];
    for (const member of stored) {
      if (member.role === 'therapist') members.push({ ...member, label: therapist?.displayName ?? '' });
      else {
        const participant = byId.get(member.memberId);
        if (participant && allows(participant.status, 'exchange-keys')) members.push({ ...member, label: participant.displayName ?? '' });
      }
    }
    // Therapist first, then clients in slot order: the same for everyone (the code sorts keys anyway).
    const slot = (m: CallMember) => (m.role === 'therapist' ? -1 : (byId.get(m.memberId)?.slot ?? 0));
    members.sort((a, b) => slot(a) - slot(b));
    return { members, admitted: participants.filter((p) => allows(p.status, 'exchange-keys')).map((p) => p.id) };
  }

  async function publish(session: SessionRecord): Promise<CallMember[]> {
    const { members, admitted } = await currentList(session);
    deps.relay.membersChanged(session.therapistId, admitted, { sessionId: session.id, members });
    return members;
  }

  function requireLive(session: SessionRecord | null): SessionRecord {
    if (!session || session.status === 'ended') throw AppError.sessionEnded();
    if (session.status !== 'live') throw AppError.conflict({ reason: 'not-started' });
    return session;
  }

  const isAdmittedIn = (participant: ParticipantRecord | null, sessionId: string): participant is ParticipantRecord =>
    participant !== null && participant.sessionId === sessionId && allows(participant.status, 'exchange-keys');
  const isWaitingIn = (participant: ParticipantRecord | null, sessionId: string): participant is ParticipantRecord =>
    participant !== null && participant.sessionId === sessionId && allows(participant.status, 'stage-key');

  /** A waiting client's key, kept for its admission; nobody is told (the list shows only those admitted). */
  async function stage(session: SessionRecord, participantId: string, publicKeys: PublicKeyTag[]): Promise<CallMember[]> {
    await deps.store.put(session.id, { memberId: participantId, role: 'client', publicKeys }, deps.expiresAtFor(session));
    // Admitted in between: the admission may have looked for a staged key before this write, so it is announced here.
    const now = await deps.participants.getParticipant(participantId);
    if (isAdmittedIn(now, session.id)) return publish(requireLive(await deps.sessionStore.getSession(session.id)));
    // Gone in between (left, removed): whoever changed the state dropped what was there before; this write is dropped here.
    if (!isWaitingIn(now, session.id)) {
      await deps.store.remove(session.id, participantId);
      throw new AppError('not_admitted');
    }
    deps.logger.info('call key staged while waiting', { event: 'e2ee.key-staged', sessionId: session.id, participantId });
    return [];
  }

  return {
    async announceClient(participantId, sessionId, publicKeys) {
      const [participant, found] = await Promise.all([deps.participants.getParticipant(participantId), deps.sessionStore.getSession(sessionId)]);
      if (!found || found.status === 'ended') throw AppError.sessionEnded();
      if (isWaitingIn(participant, sessionId)) return stage(found, participantId, publicKeys);
      if (!isAdmittedIn(participant, sessionId)) throw new AppError('not_admitted');
      const session = requireLive(found);
      await deps.store.put(sessionId, { memberId: participantId, role: 'client', publicKeys }, deps.expiresAtFor(session));
      // A removal or send-back between the check and the write: theirs deletes after its own
      // transition, ours looks again after the write, so one of the two always takes the key out.
      if (!isAdmittedIn(await deps.participants.getParticipant(participantId), sessionId)) {
        await deps.store.remove(sessionId, participantId);
        throw new AppError('not_admitted');
      }
      deps.logger.info('call member announced', { event: 'e2ee.member-announced', sessionId, participantId });
      return publish(session);
    },

    async admitted(session, participantId) {
      if (!(await deps.store.list(session.id)).some((m) => m.memberId === participantId)) return;
      await publish(session);
    },

    async announceTherapist(session, publicKeys) {
      requireLive(session);
      await deps.store.put(session.id, { memberId: THERAPIST_MEMBER_ID, role: 'therapist', publicKeys }, deps.expiresAtFor(session));
      deps.logger.info('call member announced', { event: 'e2ee.member-announced', sessionId: session.id, therapistId: session.therapistId });
      return publish(session);
    },

    async sendKey(session, participantId, envelope) {
      requireLive(session);
      const participant = await deps.participants.getParticipant(participantId);
      // Ids from another session are "not found", exactly like unknown ids; nobody outside the call gets a key.
      if (!participant || participant.sessionId !== session.id) throw AppError.notFound({ reason: 'no-participant' });
      if (!allows(participant.status, 'exchange-keys')) throw AppError.conflict({ reason: 'not-in-call' });
      const started = performance.now();
      const installed = await deps.relay.keySent(participantId, { sessionId: session.id, envelope }, KEY_READY_TIMEOUT_MS);
      deps.logger.info('wrapped key relayed', {
        event: 'e2ee.key-relayed',
        sessionId: session.id,
        participantId,
        reason: installed ? 'installed' : 'timeout',
        durationMs: Math.round(performance.now() - started),
      });
      return { installed };
    },

    async sendResources(session, participantId, envelope) {
      requireLive(session);
      const participant = await deps.participants.getParticipant(participantId);
      if (!participant || participant.sessionId !== session.id) throw AppError.notFound({ reason: 'no-participant' });
      if (!allows(participant.status, 'exchange-keys')) throw AppError.conflict({ reason: 'not-in-call' });
      deps.relay.resourcesSent(participantId, { sessionId: session.id, envelope });
      deps.logger.info('sealed resources relayed', { event: 'e2ee.resources-relayed', sessionId: session.id, participantId });
    },

    async activate(session, keyIndex) {
      requireLive(session);
      deps.relay.switchKey(await admittedIds(session.id), { sessionId: session.id, keyIndex });
    },

    async drop(sessionId, memberId) {
      if (!(await deps.store.remove(sessionId, memberId))) return;
      const session = await deps.sessionStore.getSession(sessionId);
      if (session?.status === 'live') await publish(session);
    },
  };
}
