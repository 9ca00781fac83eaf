import type { ParticipantPresence, PresenceState } from '@alcove/shared';
import type { ParticipantRecord } from '../sessions/session-records.ts';

/** Derives what the therapist sees from what is stored. */
export function derivePresenceState(p: ParticipantRecord): PresenceState {
  switch (p.status) {
    case 'invited':
    case 'left':
    case 'removed':
      return p.status;
    case 'waiting':
      return p.connectionId ? 'waiting' : 'reconnecting';
    case 'admitted':
      if (p.inCall) return 'in-call';
      return p.connectionId ? 'admitted' : 'reconnecting';
  }
}

export function toPresence(p: ParticipantRecord): ParticipantPresence {
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
