import type { ParticipantRecord } from './participant-records.ts';
import type { SessionRecord } from './session-records.ts';

/**
 * Persistence of invites: one live invite per participant, stored as the SHA-256 of its
 * secret (invite-secret.ts), never the secret. Implemented on Redis.
 */
/** An invite's participant and that participant's session. */
export interface ResolvedInvite {
  participant: ParticipantRecord;
  session: SessionRecord;
}

export interface InviteStore {
  /** Invite hash → its participant and that participant's session, in one round trip. */
  resolveInvite(inviteHash: string): Promise<ResolvedInvite | null>;
  replaceInvite(participantId: string, inviteHash: string, expiresAt: number): Promise<void>;
  revokeInvite(participantId: string): Promise<void>;
}
