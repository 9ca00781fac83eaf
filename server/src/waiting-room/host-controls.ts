import type { AdmitAllResult, ParticipantPresence, WaitingRoomMessage, WatchSessionResult } from '@alcove/shared';
import { AppError } from '../app-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import type { CallMembers } from '../encryption/call-member-relay.ts';
import type { Metrics } from '../observability/metrics.ts';
import { allows } from '../presence/participant-lifecycle.ts';
import { toPresence } from '../presence/presence-view.ts';
import { applyTransition } from '../sessions/participant-transitions.ts';
import type { MediaRooms } from '../sessions/media-rooms.ts';
import type { InviteStore } from '../sessions/invites.ts';
import type { ParticipantRecord, ParticipantStore } from '../sessions/participant-records.ts';
import type { SessionRecord, SessionStore } from '../sessions/session-records.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { WaitingRoomNotifier } from './waiting-room-notifier.ts';

export interface HostControlsDeps {
  sessionStore: SessionStore;
  participants: ParticipantStore;
  invites: InviteStore;
  sessions: SessionService;
  rooms: MediaRooms;
  notifier: WaitingRoomNotifier;
  logger: Logger;
  audit: AuditTrail;
  /** Who is in the call by public key: whoever leaves it is taken out, and everyone who stays is told. */
  members: Pick<CallMembers, 'drop' | 'admitted'>;
  now: () => number;
  metrics?: Pick<Metrics, 'countAdmission'>;
}

/** The therapist's commands over the waiting room and the call. Every one checks ownership first. */
export interface HostControls {
  watch(therapistId: string, sessionId: string): Promise<WatchSessionResult>;
  admit(therapistId: string, sessionId: string, participantId: string): Promise<ParticipantPresence>;
  admitAll(therapistId: string, sessionId: string): Promise<AdmitAllResult>;
  sendBack(therapistId: string, sessionId: string, participantId: string): Promise<ParticipantPresence>;
  remove(therapistId: string, sessionId: string, participantId: string): Promise<ParticipantPresence>;
  /** Takes one partner of a couple out of the call, to the hold screen, while the therapist talks with the other alone. */
  hold(therapistId: string, sessionId: string, participantId: string): Promise<ParticipantPresence>;
  /** Brings a held partner back into the call (admitted again; the console seals them a fresh key). */
  release(therapistId: string, sessionId: string, participantId: string): Promise<ParticipantPresence>;
  mute(therapistId: string, sessionId: string, participantId: string): Promise<{ mutedTracks: number }>;
  postMessage(therapistId: string, sessionId: string, text: string): Promise<WaitingRoomMessage>;
}

export function createHostControls(deps: HostControlsDeps): HostControls {
  async function openSession(therapistId: string, sessionId: string): Promise<SessionRecord> {
    const session = await deps.sessions.getOwned(therapistId, sessionId);
    if (session.status === 'ended') throw AppError.sessionEnded();
    return session;
  }

  async function participantOf(session: SessionRecord, participantId: string): Promise<ParticipantRecord> {
    const participant = await deps.participants.getParticipant(participantId);
    // Ids from another session are "not found", exactly like unknown ids.
    if (!participant || participant.sessionId !== session.id) throw AppError.notFound({ reason: 'no-participant' });
    return participant;
  }

  const publish = (session: SessionRecord, record: ParticipantRecord) => {
    const presence = toPresence(record);
    deps.notifier.presenceChanged(session.therapistId, session.id, presence);
    return presence;
  };

  async function admitOne(session: SessionRecord, participantId: string): Promise<ParticipantRecord | null> {
    const now = deps.now();
    const record = await applyTransition(deps, 'admit', participantId, { admittedAt: now, updatedAt: now }, { therapistId: session.therapistId });
    if (!record) return null;
    deps.notifier.admitted(participantId, session.id);
    publish(session, record);
    // A key staged while waiting is listed now. Not the admission's to fail: the page announces its key again once let in.
    await deps.members.admitted(session, participantId).catch((error: Error) => {
      deps.logger.warn('staged call key not announced at admission', { event: 'e2ee.staged-key-failed', sessionId: session.id, participantId, errorName: error.name });
    });
    deps.logger.info('client admitted', { event: 'waiting-room.admitted', sessionId: session.id, participantId });
    deps.metrics?.countAdmission();
    return record;
  }

  return {
    async watch(therapistId, sessionId) {
      const session = await deps.sessions.getOwned(therapistId, sessionId);
      const participants = await deps.participants.listParticipants(sessionId);
      return { sessionId, status: session.status, participants: participants.map(toPresence) };
    },

    async admit(therapistId, sessionId, participantId) {
      const session = await openSession(therapistId, sessionId);
      const participant = await participantOf(session, participantId);
      // Admitting twice (two consoles, a retry) answers the same; any other state refuses.
      if (participant.status === 'admitted') return toPresence(participant);
      if (!allows(participant.status, 'admit')) throw AppError.conflict({ reason: 'not-waiting' });
      // Admitting starts the call: the room must exist before anyone gets a token.
      const live = await deps.sessions.startForAdmission(session);
      const record = await admitOne(live, participantId);
      if (!record) throw AppError.conflict({ reason: 'not-waiting' });
      return toPresence(record);
    },

    async admitAll(therapistId, sessionId) {
      const session = await openSession(therapistId, sessionId);
      const waiting = (await deps.participants.listParticipants(sessionId)).filter((p) => allows(p.status, 'admit'));
      if (waiting.length === 0) return { admitted: [] };
      const live = await deps.sessions.startForAdmission(session);
      const admitted: string[] = [];
      for (const p of waiting) {
        if (await admitOne(live, p.id)) admitted.push(p.id);
      }
      return { admitted };
    },

    async sendBack(therapistId, sessionId, participantId) {
      const session = await openSession(therapistId, sessionId);
      await participantOf(session, participantId);
      const record = await applyTransition(deps, 'send-back', participantId, { admittedAt: null, inCall: false, updatedAt: deps.now() }, { therapistId });
      if (!record) throw AppError.conflict({ reason: 'not-in-call' });
      deps.notifier.sentBack(participantId);
      // Shown as soon as it is true: a media call that fails below must not hide what was done.
      const presence = publish(session, record);
      await deps.members.drop(sessionId, participantId);
      await deps.rooms.removeParticipant(session.roomName, participantId);
      deps.logger.info('client sent back to the waiting room', { event: 'waiting-room.sent-back', sessionId, participantId });
      return presence;
    },

    async remove(therapistId, sessionId, participantId) {
      const session = await openSession(therapistId, sessionId);
      await participantOf(session, participantId);
      const record = await applyTransition(
        deps,
        'remove',
        participantId,
        { displayName: null, waitingSince: null, admittedAt: null, inCall: false, updatedAt: deps.now() },
        { therapistId },
      );
      if (!record) throw AppError.conflict({ reason: 'already-removed' });
      // Revoke first, so nothing the person does next can succeed.
      await deps.invites.revokeInvite(participantId);
      deps.notifier.closeParticipant(participantId, 'removed');
      const presence = publish(session, record);
      // Out of the member list: the therapist's console, told so, rotates the media key to those who stay.
      await deps.members.drop(sessionId, participantId);
      if (session.status === 'live') await deps.rooms.removeParticipant(session.roomName, participantId);
      deps.logger.info('client removed', { event: 'waiting-room.removed', sessionId, participantId });
      return presence;
    },

    async hold(therapistId, sessionId, participantId) {
      const session = await openSession(therapistId, sessionId);
      // Time alone with one partner: an individual session has nobody else to hold.
      if (session.kind !== 'couple') throw AppError.conflict({ reason: 'individual-session' });
      const participant = await participantOf(session, participantId);
      if (participant.status === 'held') return toPresence(participant);
      if (session.status !== 'live' || !allows(participant.status, 'hold')) throw AppError.conflict({ reason: 'not-in-call' });
      // One partner at a time: holding both would leave the therapist alone in the call.
      const partners = await deps.participants.listParticipants(sessionId);
      if (partners.some((p) => p.id !== participantId && p.status === 'held')) throw AppError.conflict({ reason: 'already-holding' });
      const record = await applyTransition(deps, 'hold', participantId, { inCall: false, updatedAt: deps.now() }, { therapistId });
      if (!record) throw AppError.conflict({ reason: 'not-in-call' });
      // Two holds at once (two clicks, two consoles) both pass the check above. Whoever finds the
      // other partner held after its own change undoes it before anything else happened: at most
      // one partner is ever held; at worst neither, and the therapist is told and may ask again.
      const after = await deps.participants.listParticipants(sessionId);
      if (after.some((p) => p.id !== participantId && p.status === 'held')) {
        // Still in the media room (nothing removed them yet), so `inCall` goes back as it was.
        await applyTransition(deps, 'release', participantId, { inCall: participant.inCall, updatedAt: deps.now() }, { therapistId });
        throw AppError.conflict({ reason: 'already-holding' });
      }
      // The page leaves the call by itself; the member list (the console rotates the media key to
      // those who stay) and the media room lose them whatever the page does.
      deps.notifier.held(participantId);
      const presence = publish(session, record);
      await deps.members.drop(sessionId, participantId);
      await deps.rooms.removeParticipant(session.roomName, participantId);
      deps.logger.info('client put on hold', { event: 'call.held', sessionId, participantId });
      return presence;
    },

    async release(therapistId, sessionId, participantId) {
      const session = await openSession(therapistId, sessionId);
      await participantOf(session, participantId);
      const record = await applyTransition(deps, 'release', participantId, { updatedAt: deps.now() }, { therapistId });
      if (!record) throw AppError.conflict({ reason: 'not-held' });
      // Told as an admission: the page fetches a token and announces its key, and the console seals it the key.
      deps.notifier.admitted(participantId, sessionId);
      deps.logger.info('client brought back from hold', { event: 'call.released', sessionId, participantId });
      return publish(session, record);
    },

    async mute(therapistId, sessionId, participantId) {
      const session = await openSession(therapistId, sessionId);
      const participant = await participantOf(session, participantId);
      if (session.status !== 'live' || !allows(participant.status, 'mute')) throw AppError.conflict({ reason: 'not-in-call' });
      const mutedTracks = await deps.rooms.muteMicrophone(session.roomName, participantId);
      if (mutedTracks > 0) deps.notifier.mutedByHost(participantId);
      deps.logger.info('client muted by therapist', { event: 'call.muted', sessionId, participantId, count: mutedTracks });
      return { mutedTracks };
    },

    async postMessage(therapistId, sessionId, text) {
      await openSession(therapistId, sessionId);
      const message = { text, sentAt: deps.now() };
      await deps.sessionStore.patchSession(sessionId, { lastMessage: message });
      deps.notifier.messagePosted(sessionId, message);
      return message;
    },
  };
}
