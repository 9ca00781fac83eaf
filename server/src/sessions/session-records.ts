import type { SessionKind, SessionStatus, WaitingRoomMessage } from '@alcove/shared';
import type { ParticipantRecord } from './participant-records.ts';

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

export interface NewSession {
  session: SessionRecord;
  participants: ParticipantRecord[];
  /** Only the SHA-256 of each invite secret (invite-secret.ts), never the secret. */
  invites: { hash: string; participantId: string }[];
  /** When every key of this session expires at the latest (epoch ms). */
  expiresAt: number;
}

/**
 * Persistence of the session aggregate. A session is born with its participant slots and
 * invites and dies with them, so creating and erasing it are one atomic step each; the
 * participants, invites and device leases in between have their own stores. Implemented on Redis.
 */
export interface SessionStore {
  createSession(input: NewSession): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | null>;
  listSessionIds(therapistId: string): Promise<string[]>;
  patchSession(sessionId: string, patch: Partial<Omit<SessionRecord, 'id' | 'therapistId'>>): Promise<void>;
  /** Atomically marks a scheduled session live; false if it was not scheduled. */
  markLive(sessionId: string, startedAt: number): Promise<boolean>;
  /**
   * Ends a session: revokes every invite and lease, erases participants'
   * display names, and keeps only a minimal ended marker until `keepUntil`.
   */
  eraseSession(sessionId: string, endedAt: number, keepUntil: number): Promise<void>;
}
