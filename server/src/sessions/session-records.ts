import type { ConnectionVerdict, SessionKind, SessionStatus, WaitingRoomMessage } from '@alcove/shared';

export interface SessionRecord {
  id: string;
  therapistId: string;
  kind: SessionKind;
  status: SessionStatus;
  /** The LiveKit room name: the opaque session id, nothing else. */
  roomName: string;
  /** The therapist's LiveKit identity for this session only (not linkable across sessions). */
  hostIdentity: string;
  clientSlots: number;
  createdAt: number;
  startsAt: number;
  durationMinutes: number;
  opensAt: number;
  closesAt: number;
  startedAt: number | null;
  endedAt: number | null;
  lastMessage: WaitingRoomMessage | null;
}

/** Stored participant states; `reconnecting` and `in-call` are derived for presence. */
export type ParticipantStatus = 'invited' | 'waiting' | 'admitted' | 'left' | 'removed';

export interface ParticipantRecord {
  id: string;
  sessionId: string;
  slot: number;
  status: ParticipantStatus;
  displayName: string | null;
  waitingSince: number | null;
  admittedAt: number | null;
  /** Socket id of the live waiting-room connection, or null when disconnected. */
  connectionId: string | null;
  disconnectedAt: number | null;
  inCall: boolean;
  /** The client's own pre-call connection check (a verdict only); erased with the participant. */
  connectionCheck: ConnectionVerdict | null;
  updatedAt: number;
}

export interface NewSession {
  session: SessionRecord;
  participants: ParticipantRecord[];
  invites: { hash: string; participantId: string }[];
  /** When every key of this session expires at the latest (epoch ms). */
  expiresAt: number;
}

export type ParticipantPatch = Partial<Omit<ParticipantRecord, 'id' | 'sessionId' | 'slot'>>;

/** Persistence of sessions, participants, invites and device leases. Implemented on Redis. */
export interface SessionStore {
  createSession(input: NewSession): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | null>;
  listSessionIds(therapistId: string): Promise<string[]>;
  patchSession(sessionId: string, patch: Partial<Omit<SessionRecord, 'id' | 'therapistId'>>): Promise<void>;
  /** Atomically marks a scheduled session live; false if it was not scheduled. */
  markLive(sessionId: string, startedAt: number): Promise<boolean>;

  getParticipant(participantId: string): Promise<ParticipantRecord | null>;
  listParticipants(sessionId: string): Promise<ParticipantRecord[]>;
  /**
   * Compare-and-set: applies `patch` only if the participant's status is one of
   * `from` (and, when given, its connectionId equals `ifConnectionId`).
   * Returns the updated record, or null when the condition did not hold.
   */
  transitionParticipant(
    participantId: string,
    from: readonly ParticipantStatus[],
    patch: ParticipantPatch,
    ifConnectionId?: string,
  ): Promise<ParticipantRecord | null>;

  /** Invite hash → its participant and that participant's session, in one round trip. */
  resolveInvite(inviteHash: string): Promise<{ participant: ParticipantRecord; session: SessionRecord } | null>;
  replaceInvite(participantId: string, inviteHash: string, expiresAt: number): Promise<void>;
  revokeInvite(participantId: string): Promise<void>;

  /** Takes or renews the one-device lease; false if another device holds it. */
  acquireDeviceLease(participantId: string, deviceId: string, ttlMs: number): Promise<boolean>;
  releaseDeviceLease(participantId: string, deviceId: string): Promise<void>;
  getDeviceLeaseHolder(participantId: string): Promise<string | null>;

  /**
   * Ends a session: revokes every invite and lease, erases participants'
   * display names, and keeps only a minimal ended marker until `keepUntil`.
   */
  eraseSession(sessionId: string, endedAt: number, keepUntil: number): Promise<void>;
}
