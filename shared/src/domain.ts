/** Domain vocabulary shared by the server and the browser app. No IO here. */

export const SESSION_KINDS = ['individual', 'couple'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** How many client invites each kind of session gets. */
export const CLIENT_SLOTS_BY_KIND: Readonly<Record<SessionKind, number>> = {
  individual: 1,
  couple: 2,
};

export const SESSION_STATUSES = ['scheduled', 'live', 'ended'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * What a therapist sees for each invited client.
 * - invited: the invite has not been used yet
 * - waiting: checked in, in the waiting room
 * - reconnecting: lost its connection; its place is kept for the grace period
 * - admitted: let in by the therapist, may fetch a media token
 * - in-call: connected to the media room
 * - held: a partner of a couple the therapist asked to wait while they talk with the other alone:
 *   out of the call (no media token, no key, not in the media room), back when released
 * - left: gave up its place (left, or did not come back within the grace period)
 * - removed: removed by the therapist; the invite is revoked
 */
export const PRESENCE_STATES = [
  'invited',
  'waiting',
  'reconnecting',
  'admitted',
  'in-call',
  'held',
  'left',
  'removed',
] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/**
 * What a client's pre-call connection check found, before they sit down to wait:
 * - ready: media reaches the server directly (UDP, host or through NAT)
 * - slower-path: media gets through only over TCP or a TURN relay (e.g. a clinic allowing only TCP 443)
 * - blocked: no media path within the check's time bound; the client may still wait
 * - no-encryption: this browser cannot encrypt the call end to end, so it cannot join
 */
export const CONNECTION_VERDICTS = ['ready', 'slower-path', 'blocked', 'no-encryption'] as const;
export type ConnectionVerdict = (typeof CONNECTION_VERDICTS)[number];

export interface ParticipantPresence {
  participantId: string;
  /** 1 for an individual client; 1 or 2 for the partners of a couple. */
  slot: number;
  state: PresenceState;
  /** Client-chosen display name; null until the client checks in. */
  displayName: string | null;
  /** Epoch ms when the client first checked in (kept across reconnects). */
  waitingSince: number | null;
  admittedAt: number | null;
  /** The client's own pre-call connection check, once reported; null before. */
  connectionCheck: ConnectionVerdict | null;
  updatedAt: number;
}

export interface SessionSummary {
  sessionId: string;
  kind: SessionKind;
  status: SessionStatus;
  startsAt: number;
  durationMinutes: number;
  /** Invites are accepted from `opensAt` until `closesAt` (epoch ms). */
  opensAt: number;
  closesAt: number;
  startedAt: number | null;
}

export interface SessionDetail extends SessionSummary {
  participants: ParticipantPresence[];
  lastWaitingRoomMessage: WaitingRoomMessage | null;
}

export interface WaitingRoomMessage {
  text: string;
  sentAt: number;
}

/** Reasons a participant is sent out of the waiting room or the call. Shared so the client can show a kind message. */
export const CLOSE_REASONS = ['removed', 'session-ended', 'device-replaced', 'left'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Talk-only: the only track sources a participant may publish. */
export const TALK_ONLY_SOURCES = ['camera', 'microphone'] as const;
