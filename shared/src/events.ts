/**
 * The Socket.io contract, split by sender. Commands (client → server) are
 * imperative and always carry an ack callback; facts (server → client) are past
 * tense. Every event name is defined here once.
 */
import type { z } from 'zod';
import type { Ack, ErrorBody } from './errors.ts';
import type {
  CloseReason,
  ParticipantPresence,
  PresenceState,
  SessionKind,
  SessionStatus,
  WaitingRoomMessage,
} from './domain.ts';
import type {
  checkInSchema,
  connectionReportSchema,
  keyReadyAckSchema,
  leaveWaitingRoomSchema,
  participantCommandSchema,
  sessionCommandSchema,
  waitingRoomMessageSchema,
} from './schemas.ts';

export const COMMANDS = {
  // sent by a client (invite holder)
  checkIn: 'waiting-room:check-in',
  leave: 'waiting-room:leave',
  getCallKey: 'call:get-key',
  reportConnection: 'connection-check:report',
  // sent by a therapist
  watchSession: 'session:watch',
  getSessionKey: 'session:get-key',
  keepAlive: 'auth:keep-alive',
  admit: 'waiting-room:admit',
  admitAll: 'waiting-room:admit-all',
  sendBack: 'waiting-room:send-back',
  postMessage: 'waiting-room:post-message',
  remove: 'participant:remove',
  mute: 'participant:mute',
  endSession: 'session:end',
} as const;

export const FACTS = {
  // to clients
  admitted: 'waiting-room:admitted',
  sentBack: 'waiting-room:sent-back',
  messagePosted: 'waiting-room:message-posted',
  mutedByHost: 'participant:muted-by-host',
  closed: 'session:closed',
  keyRotated: 'call:key-rotated',
  keyActivated: 'call:key-activated',
  // to therapists
  presenceUpdated: 'presence:updated',
  deviceRefused: 'presence:device-refused',
  sessionEnded: 'session:ended',
  loginExpired: 'auth:expired',
} as const;

export type CheckInCommand = z.input<typeof checkInSchema>;
export type LeaveCommand = z.input<typeof leaveWaitingRoomSchema>;
export type ConnectionReportCommand = z.input<typeof connectionReportSchema>;
export type SessionCommand = z.input<typeof sessionCommandSchema>;
export type ParticipantCommand = z.input<typeof participantCommandSchema>;
export type WaitingRoomMessageCommand = z.input<typeof waitingRoomMessageSchema>;

/** What a client learns when it checks in (and again after a reload). */
export interface CheckInResult {
  participantId: string;
  sessionKind: SessionKind;
  state: Extract<PresenceState, 'waiting' | 'admitted' | 'in-call'>;
  waitingSince: number;
  startsAt: number;
  lastMessage: WaitingRoomMessage | null;
}

export interface WatchSessionResult {
  sessionId: string;
  status: SessionStatus;
  participants: ParticipantPresence[];
}

export interface AdmitAllResult {
  admitted: string[];
}

type Command<P, R> = (payload: P, ack: (result: Ack<R>) => void) => void;

export interface ClientToServerEvents {
  [COMMANDS.checkIn]: Command<CheckInCommand, CheckInResult>;
  [COMMANDS.leave]: Command<LeaveCommand, null>;
  [COMMANDS.getCallKey]: Command<Record<string, never>, E2eeKeyFact>;
  [COMMANDS.reportConnection]: Command<ConnectionReportCommand, null>;
  [COMMANDS.getSessionKey]: Command<SessionCommand, E2eeKeyFact>;
  [COMMANDS.keepAlive]: Command<Record<string, never>, { expiresAt: number }>;
  [COMMANDS.watchSession]: Command<SessionCommand, WatchSessionResult>;
  [COMMANDS.admit]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.admitAll]: Command<SessionCommand, AdmitAllResult>;
  [COMMANDS.sendBack]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.postMessage]: Command<WaitingRoomMessageCommand, WaitingRoomMessage>;
  [COMMANDS.remove]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.mute]: Command<ParticipantCommand, { mutedTracks: number }>;
  [COMMANDS.endSession]: Command<SessionCommand, null>;
}

export interface AdmittedFact {
  sessionId: string;
}
export interface ClosedFact {
  reason: CloseReason;
}
export interface PresenceUpdatedFact {
  sessionId: string;
  participant: ParticipantPresence;
}
export interface DeviceRefusedFact {
  sessionId: string;
  participantId: string;
  at: number;
}
/**
 * The session's end-to-end media key, sent only to admitted participants and
 * the therapist over their authenticated sockets. `keyIndex` is the slot in the
 * browser's key ring (0 … E2EE_KEYRING_SIZE - 1); it changes at every rotation.
 */
export interface E2eeKeyFact {
  sessionId: string;
  key: string;
  keyIndex: number;
}
/** Everyone who stays holds the rotated key (or the wait ran out): encrypt with `keyIndex` from now on. */
export interface KeyActivatedFact {
  sessionId: string;
  keyIndex: number;
}
/** A browser's answer to `call:key-rotated`: it holds the key at `keyIndex` (or has no call to put it in). */
export type KeyReadyAck = z.input<typeof keyReadyAckSchema>;

/**
 * Key rotation is two-phase so that nobody encrypts with a key someone else
 * lacks: the server sends the new key (`call:key-rotated`), each browser puts
 * it in its key ring *beside* the old one and answers; once all answered, or
 * after this bound, the server says `call:key-activated` and everyone encrypts
 * with it.
 */
export const KEY_READY_TIMEOUT_MS = 2000;
/**
 * How long a browser tolerates frames under a key index it does not hold
 * (`MissingKey`) before it blocks the call: longer than the server's wait, so
 * only a key that never arrives raises the alarm.
 */
export const MISSING_KEY_GRACE_MS = 5000;

export interface SessionEndedFact {
  sessionId: string;
}

export interface ServerToClientEvents {
  [FACTS.admitted]: (fact: AdmittedFact) => void;
  [FACTS.sentBack]: (fact: Record<string, never>) => void;
  [FACTS.messagePosted]: (fact: WaitingRoomMessage) => void;
  [FACTS.mutedByHost]: (fact: Record<string, never>) => void;
  [FACTS.closed]: (fact: ClosedFact) => void;
  [FACTS.keyRotated]: (fact: E2eeKeyFact, ready: (ack: KeyReadyAck) => void) => void;
  [FACTS.keyActivated]: (fact: KeyActivatedFact) => void;
  [FACTS.loginExpired]: (fact: Record<string, never>) => void;
  [FACTS.presenceUpdated]: (fact: PresenceUpdatedFact) => void;
  [FACTS.deviceRefused]: (fact: DeviceRefusedFact) => void;
  [FACTS.sessionEnded]: (fact: SessionEndedFact) => void;
}

/** `connect_error` data for a refused handshake. */
export type HandshakeErrorData = ErrorBody;
