import { CONNECTION_VERDICTS, type ConnectionVerdict } from '@alcove/shared';
import type { ParticipantRecord, ParticipantStatus } from '../../sessions/participant-records.ts';
import type { SessionRecord } from '../../sessions/session-records.ts';

// How session and participant records are laid out in Redis hashes (every field a string,
// '' for null), shared by the stores that read them.
export type Hash = Record<string, string>;

const encode = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
const optionalNumber = (value: string | undefined): number | null => (value ? Number(value) : null);
const optionalString = (value: string | undefined): string | null => (value ? value : null);

export function toHash(record: object): Hash {
  const hash: Hash = {};
  for (const [key, value] of Object.entries(record)) hash[key] = encode(value);
  return hash;
}

export function sessionFromHash(hash: Hash): SessionRecord | null {
  if (!hash.id) return null;
  return {
    id: hash.id,
    therapistId: hash.therapistId ?? '',
    kind: hash.kind === 'couple' ? 'couple' : 'individual',
    status: (hash.status as SessionRecord['status']) ?? 'ended',
    roomName: hash.roomName ?? '',
    hostIdentity: hash.hostIdentity ?? '',
    clientSlots: Number(hash.clientSlots),
    createdAt: Number(hash.createdAt),
    startsAt: Number(hash.startsAt),
    durationMinutes: Number(hash.durationMinutes),
    opensAt: Number(hash.opensAt),
    closesAt: Number(hash.closesAt),
    startedAt: optionalNumber(hash.startedAt),
    endedAt: optionalNumber(hash.endedAt),
    lastMessage: hash.lastMessage ? (JSON.parse(hash.lastMessage) as SessionRecord['lastMessage']) : null,
  };
}

export function participantFromHash(hash: Hash): ParticipantRecord | null {
  if (!hash.id) return null;
  return {
    id: hash.id,
    sessionId: hash.sessionId ?? '',
    slot: Number(hash.slot),
    status: (hash.status as ParticipantStatus) ?? 'left',
    displayName: optionalString(hash.displayName),
    waitingSince: optionalNumber(hash.waitingSince),
    admittedAt: optionalNumber(hash.admittedAt),
    connectionId: optionalString(hash.connectionId),
    disconnectedAt: optionalNumber(hash.disconnectedAt),
    inCall: hash.inCall === 'true',
    connectionCheck: (CONNECTION_VERDICTS as readonly string[]).includes(hash.connectionCheck ?? '') ? (hash.connectionCheck as ConnectionVerdict) : null,
    updatedAt: Number(hash.updatedAt),
  };
}

export function flatToHash(flat: unknown): Hash {
  const hash: Hash = {};
  if (!Array.isArray(flat)) return hash;
  for (let i = 0; i + 1 < flat.length; i += 2) hash[String(flat[i])] = String(flat[i + 1]);
  return hash;
}
