import { CLIENT_SLOTS_BY_KIND, type CloseReason, type SessionDetail, type SessionKind, type SessionSummary } from '@alcove/shared';
import { AppError } from '../app-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import { allows, isPresent } from '../presence/participant-lifecycle.ts';
import { toPresence } from '../presence/presence-view.ts';
import { createInviteSecret, hashInviteSecret } from './invite-secret.ts';
import type { MediaRooms } from './media-rooms.ts';
import { createOpaqueId } from '../identifiers/opaque-id.ts';
import type { InviteStore } from './invites.ts';
import type { ParticipantRecord, ParticipantStore } from './participant-records.ts';
import type { SessionRecord, SessionStore } from './session-records.ts';

/** How long session data outlives the invite window before Redis drops it. */
export const SESSION_RETENTION_AFTER_CLOSE_MS = 60 * 60_000;
/** How long the minimal "ended" marker is kept so late clients are told kindly. */
export const ENDED_MARKER_MS = 15 * 60_000;
/** A LiveKit room survives everyone dropping out (e.g. a therapist's reload) this long. */
export const ROOM_DEPARTURE_TIMEOUT_SECONDS = 300;
/**
 * How long this instance trusts that a live session's room exists before asking LiveKit
 * again. A LiveKit restart forgets every room; the next token asked for after this heals it.
 */
export const ROOM_RECHECK_MS = 5_000;
const ROOM_MEMO_MAX_ENTRIES = 10_000;

/** How the end of a session reaches people; the Socket.io transport implements it. */
export interface SessionNotifier {
  sessionEnded(therapistId: string, sessionId: string): void;
  closeSession(sessionId: string, reason: CloseReason): void;
}

export interface SessionServiceDeps {
  sessionStore: SessionStore;
  participants: ParticipantStore;
  invites: InviteStore;
  rooms: MediaRooms;
  notifier: SessionNotifier;
  logger: Logger;
  audit: AuditTrail;
  now: () => number;
  publicUrl: string;
  opensBeforeMs: number;
  closesAfterMs: number;
  defaultDurationMinutes: number;
}

export interface IssuedInvite {
  participantId: string;
  slot: number;
  secret: string;
  joinUrl: string;
  expiresAt: number;
}

export interface SessionService {
  create(therapistId: string, input: { kind: SessionKind; startsAt?: number; durationMinutes?: number }): Promise<{ session: SessionSummary; invites: IssuedInvite[] }>;
  list(therapistId: string): Promise<SessionSummary[]>;
  /** Loads a session owned by this therapist; someone else's is "not found", never "forbidden". */
  getOwned(therapistId: string, sessionId: string): Promise<SessionRecord>;
  detail(therapistId: string, sessionId: string): Promise<SessionDetail>;
  /** Creates the LiveKit room (idempotent) and marks the session live. */
  start(therapistId: string, sessionId: string): Promise<SessionRecord>;
  /**
   * An admission into a session the caller has just loaded as this therapist's (getOwned): the
   * first one creates the room and marks the session live; once it is live, its room is trusted
   * as ensureRoom trusts it (the admitted client's token asks LiveKit again after ROOM_RECHECK_MS).
   */
  startForAdmission(session: SessionRecord): Promise<SessionRecord>;
  reissueInvite(therapistId: string, sessionId: string, participantId: string): Promise<IssuedInvite>;
  end(therapistId: string, sessionId: string): Promise<void>;
  /**
   * The media room of a live session exists (recreated after a LiveKit restart or crash);
   * asks LiveKit at most every ROOM_RECHECK_MS per room on this instance.
   */
  ensureRoom(session: SessionRecord): Promise<void>;
  /**
   * LiveKit closed the room (room_finished). A media failure never ends a session: while
   * anyone is still connected the room is recreated when next needed; only a session that
   * nobody is connected to any more ends here.
   */
  roomFinished(roomName: string): Promise<void>;
}

export function toSummary(s: SessionRecord): SessionSummary {
  return {
    sessionId: s.id,
    kind: s.kind,
    status: s.status,
    startsAt: s.startsAt,
    durationMinutes: s.durationMinutes,
    opensAt: s.opensAt,
    closesAt: s.closesAt,
    startedAt: s.startedAt,
  };
}

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const joinUrl = (secret: string) => `${deps.publicUrl}/join#${secret}`;
  const roomCheckedAt = new Map<string, number>();

  /** Idempotent on LiveKit: creating a room that exists returns it unchanged. */
  async function createRoom(session: SessionRecord, now: number): Promise<void> {
    await deps.rooms.createRoom({
      roomName: session.roomName,
      maxParticipants: 1 + session.clientSlots,
      emptyTimeoutSeconds: Math.max(60, Math.ceil((session.closesAt - now) / 1000)),
      departureTimeoutSeconds: ROOM_DEPARTURE_TIMEOUT_SECONDS,
    });
    if (roomCheckedAt.size >= ROOM_MEMO_MAX_ENTRIES) roomCheckedAt.clear();
    roomCheckedAt.set(session.roomName, now);
  }

  async function ensureRoom(session: SessionRecord): Promise<void> {
    const now = deps.now();
    const checked = roomCheckedAt.get(session.roomName);
    if (checked !== undefined && now - checked < ROOM_RECHECK_MS) return;
    await createRoom(session, now);
  }

  /** createRoom is idempotent on LiveKit, so two racing starts are harmless. */
  async function startLoaded(session: SessionRecord, recreate: 'always' | 'when-unchecked'): Promise<SessionRecord> {
    if (session.status === 'ended') throw AppError.sessionEnded();
    const now = deps.now();
    if (now >= session.closesAt) throw AppError.sessionEnded();
    if (session.status === 'live') {
      if (recreate === 'always') await createRoom(session, now);
      else await ensureRoom(session);
      return session;
    }
    await createRoom(session, now);
    const live = { ...session, status: 'live' as const, startedAt: now };
    if (await deps.sessionStore.markLive(session.id, now)) {
      deps.logger.info('session started', { event: 'session.started', sessionId: session.id });
      deps.audit.record('session-started', { sessionId: session.id, therapistId: session.therapistId });
    }
    return (await deps.sessionStore.getSession(session.id)) ?? live;
  }

  async function getOwned(therapistId: string, sessionId: string): Promise<SessionRecord> {
    const session = await deps.sessionStore.getSession(sessionId);
    if (!session || session.therapistId !== therapistId) throw AppError.notFound({ reason: 'no-session' });
    return session;
  }

  async function endSession(session: SessionRecord): Promise<void> {
    if (session.status === 'ended') return;
    const endedAt = deps.now();
    await deps.sessionStore.eraseSession(session.id, endedAt, endedAt + ENDED_MARKER_MS);
    deps.notifier.closeSession(session.id, 'session-ended');
    deps.notifier.sessionEnded(session.therapistId, session.id);
    try {
      await deps.rooms.deleteRoom(session.roomName);
    } catch (error) {
      // The room times out on its own; the session is already closed for everyone.
      deps.logger.warn('could not delete media room', { sessionId: session.id, errorName: (error as Error).name });
    }
    deps.logger.info('session ended', { event: 'session.ended', sessionId: session.id });
    deps.audit.record('session-ended', { sessionId: session.id, therapistId: session.therapistId });
  }

  return {
    async create(therapistId, input) {
      const now = deps.now();
      const startsAt = input.startsAt ?? now;
      const durationMinutes = input.durationMinutes ?? deps.defaultDurationMinutes;
      const opensAt = startsAt - deps.opensBeforeMs;
      const closesAt = startsAt + durationMinutes * 60_000 + deps.closesAfterMs;
      if (closesAt <= now) throw AppError.badRequest({ reason: 'already-over' });
      const id = createOpaqueId('session');
      const clientSlots = CLIENT_SLOTS_BY_KIND[input.kind];
      const session: SessionRecord = {
        id,
        therapistId,
        kind: input.kind,
        status: 'scheduled',
        roomName: id,
        hostIdentity: createOpaqueId('host'),
        clientSlots,
        createdAt: now,
        startsAt,
        durationMinutes,
        opensAt,
        closesAt,
        startedAt: null,
        endedAt: null,
        lastMessage: null,
      };
      const invites: IssuedInvite[] = [];
      const participants: ParticipantRecord[] = [];
      for (let slot = 1; slot <= clientSlots; slot += 1) {
        const participantId = createOpaqueId('participant');
        const secret = createInviteSecret();
        invites.push({ participantId, slot, secret, joinUrl: joinUrl(secret), expiresAt: closesAt });
        participants.push({
          id: participantId,
          sessionId: id,
          slot,
          status: 'invited',
          displayName: null,
          waitingSince: null,
          admittedAt: null,
          connectionId: null,
          disconnectedAt: null,
          inCall: false,
          connectionCheck: null,
          updatedAt: now,
        });
      }
      await deps.sessionStore.createSession({
        session,
        participants,
        invites: invites.map((i) => ({ hash: hashInviteSecret(i.secret), participantId: i.participantId })),
        expiresAt: closesAt + SESSION_RETENTION_AFTER_CLOSE_MS,
      });
      deps.logger.info('session created', { event: 'session.created', sessionId: id, therapistId, count: clientSlots });
      deps.audit.record('session-created', { sessionId: id, therapistId });
      return { session: toSummary(session), invites };
    },

    async list(therapistId) {
      const ids = await deps.sessionStore.listSessionIds(therapistId);
      const sessions = await Promise.all(ids.map((id) => deps.sessionStore.getSession(id)));
      return sessions
        .filter((s): s is SessionRecord => s !== null && s.therapistId === therapistId && s.status !== 'ended')
        .map(toSummary)
        .sort((a, b) => a.startsAt - b.startsAt);
    },

    getOwned,

    async detail(therapistId, sessionId) {
      const session = await getOwned(therapistId, sessionId);
      const participants = await deps.participants.listParticipants(sessionId);
      return { ...toSummary(session), participants: participants.map(toPresence), lastWaitingRoomMessage: session.lastMessage };
    },

    async start(therapistId, sessionId) {
      // The therapist joining (or rejoining) the call: a live session's room is created again every
      // time, because a rejoin is what follows a LiveKit restart that forgot it.
      return startLoaded(await getOwned(therapistId, sessionId), 'always');
    },

    startForAdmission: (session) => startLoaded(session, 'when-unchecked'),

    async reissueInvite(therapistId, sessionId, participantId) {
      const session = await getOwned(therapistId, sessionId);
      if (session.status === 'ended') throw AppError.sessionEnded();
      const participant = await deps.participants.getParticipant(participantId);
      if (!participant || participant.sessionId !== sessionId) throw AppError.notFound({ reason: 'no-participant' });
      if (!allows(participant.status, 'reissue-invite')) throw AppError.conflict({ reason: 'already-removed' });
      const secret = createInviteSecret();
      await deps.invites.replaceInvite(participantId, hashInviteSecret(secret), session.closesAt);
      deps.logger.info('invite reissued', { event: 'invite.reissued', sessionId, participantId });
      return { participantId, slot: participant.slot, secret, joinUrl: joinUrl(secret), expiresAt: session.closesAt };
    },

    async end(therapistId, sessionId) {
      await endSession(await getOwned(therapistId, sessionId));
    },

    ensureRoom,

    async roomFinished(roomName) {
      roomCheckedAt.delete(roomName);
      // The room name is the session id (see create()).
      const session = await deps.sessionStore.getSession(roomName);
      if (!session || session.status === 'ended') return;
      const participants = await deps.participants.listParticipants(session.id);
      const connected = participants.filter((p) => p.connectionId && isPresent(p.status));
      if (connected.length > 0) {
        deps.logger.warn('media room closed while people are connected; it is recreated when next needed', {
          event: 'session.room-lost',
          sessionId: session.id,
          count: connected.length,
        });
        return;
      }
      await endSession(session);
    },
  };
}
