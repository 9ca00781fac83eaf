import type { ConnectionVerdict, ParticipantPresence, PresenceState } from '@alcove/shared';
import type { ParticipantStatus } from './participant-lifecycle.ts';

export type { ParticipantStatus } from './participant-lifecycle.ts';

/**
 * What presence is derived from: the stored fields of a participant. Declared here, by the
 * module that needs it, so presence depends on no folder above it; sessions' ParticipantRecord
 * extends it.
 */
export interface PresenceSource {
  id: string;
  slot: number;
  status: ParticipantStatus;
  displayName: string | null;
  waitingSince: number | null;
  admittedAt: number | null;
  /** Socket id of the live waiting-room connection, or null when disconnected. */
  connectionId: string | null;
  inCall: boolean;
  /** The client's own pre-call connection check (a verdict only); erased with the participant. */
  connectionCheck: ConnectionVerdict | null;
  updatedAt: number;
}

/** Derives what the therapist sees from what is stored. */
export function derivePresenceState(p: PresenceSource): PresenceState {
  switch (p.status) {
    case 'invited':
    case 'left':
    case 'removed':
    // Held whether or not the page is connected right now: what the therapist must know is that the
    // partner is out of the call until brought back.
    case 'held':
      return p.status;
    case 'waiting':
      return p.connectionId ? 'waiting' : 'reconnecting';
    case 'admitted':
      if (p.inCall) return 'in-call';
      return p.connectionId ? 'admitted' : 'reconnecting';
  }
}

export function toPresence(p: PresenceSource): ParticipantPresence {
  return {
    participantId: p.id,
    slot: p.slot,
    state: derivePresenceState(p),
    displayName: p.displayName,
    // A client shown as left keeps its place in storage (see client-presence.ts) but is not waiting.
    waitingSince: p.status === 'left' ? null : p.waitingSince,
    admittedAt: p.admittedAt,
    connectionCheck: p.connectionCheck,
    updatedAt: p.updatedAt,
  };
}
