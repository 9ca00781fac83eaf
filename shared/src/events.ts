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
import type { CallMember } from './call-members.ts';
import type { KeyEnvelope, PublicKeyTag } from './key-exchange.ts';
import type { IntakeQuestionnaire } from './intake-forms.ts';
import type { MediaTokenResponse } from './http.ts';
import type { SealedEnvelope } from './sealed-box.ts';
import type {
  activateKeySchema,
  announceCallKeySchema,
  announceSessionKeySchema,
  sendKeyEnvelopeSchema,
  sendResourcesSchema,
  checkInSchema,
  connectionReportSchema,
  keyReadyAckSchema,
  leaveWaitingRoomSchema,
  participantCommandSchema,
  requestMediaTokenSchema,
  sessionCommandSchema,
  sendPrivateNoteSchema,
  submitIntakeSchema,
  waitingRoomMessageSchema,
} from './schemas.ts';
import type { ResourceEnvelope } from './resource-seal.ts';

export const COMMANDS = {
  // sent by a client (invite holder)
  checkIn: 'waiting-room:check-in',
  leave: 'waiting-room:leave',
  announceCallKey: 'call:announce-key',
  reportConnection: 'connection-check:report',
  requestMediaToken: 'media:request-token',
  describeSealedForms: 'sealed:describe',
  sendPrivateNote: 'private-note:send',
  submitIntake: 'intake:submit',
  // sent by a therapist
  watchSession: 'session:watch',
  announceSessionKey: 'session:announce-key',
  sendKey: 'participant:send-key',
  sendResources: 'participant:send-resources',
  activateKey: 'session:activate-key',
  leaveCall: 'session:leave-call',
  keepAlive: 'auth:keep-alive',
  admit: 'waiting-room:admit',
  admitAll: 'waiting-room:admit-all',
  sendBack: 'waiting-room:send-back',
  postMessage: 'waiting-room:post-message',
  remove: 'participant:remove',
  mute: 'participant:mute',
  hold: 'participant:hold',
  release: 'participant:release',
  endSession: 'session:end',
  listSealed: 'sealed:list',
} as const;

export const FACTS = {
  // to clients
  admitted: 'waiting-room:admitted',
  sentBack: 'waiting-room:sent-back',
  messagePosted: 'waiting-room:message-posted',
  mutedByHost: 'participant:muted-by-host',
  held: 'participant:held',
  closed: 'session:closed',
  keyActivated: 'call:key-activated',
  keySent: 'call:key-sent',
  resourcesSent: 'call:resources-sent',
  intakeChanged: 'intake:changed',
  // to everyone in a call
  members: 'call:members',
  // to therapists
  presenceUpdated: 'presence:updated',
  deviceRefused: 'presence:device-refused',
  sessionEnded: 'session:ended',
  privateNoteReceived: 'private-note:received',
  intakeSubmitted: 'intake:submitted',
  loginExpired: 'auth:expired',
} as const;

export type CheckInCommand = z.input<typeof checkInSchema>;
export type LeaveCommand = z.input<typeof leaveWaitingRoomSchema>;
export type ConnectionReportCommand = z.input<typeof connectionReportSchema>;
export type SessionCommand = z.input<typeof sessionCommandSchema>;
export type ParticipantCommand = z.input<typeof participantCommandSchema>;
export type WaitingRoomMessageCommand = z.input<typeof waitingRoomMessageSchema>;
export type AnnounceCallKeyCommand = z.input<typeof announceCallKeySchema>;
export type AnnounceSessionKeyCommand = z.input<typeof announceSessionKeySchema>;
export type SendKeyCommand = z.input<typeof sendKeyEnvelopeSchema>;
export type SendResourcesCommand = z.input<typeof sendResourcesSchema>;
export type ActivateKeyCommand = z.input<typeof activateKeySchema>;
export type SendPrivateNoteCommand = z.input<typeof sendPrivateNoteSchema>;
export type SubmitIntakeCommand = z.input<typeof submitIntakeSchema>;
export type RequestMediaTokenCommand = z.input<typeof requestMediaTokenSchema>;

/**
 * What a client may write for the therapist alone, as it stands for this client: the therapist's
 * sealing public key (null: the therapist has none yet, so nothing is offered), the session's
 * questionnaire, and when this client last sent a note or answers (never another's).
 */
export interface SealedFormsResult {
  sessionId: string;
  participantId: string;
  sealingKey: PublicKeyTag | null;
  intake: IntakeQuestionnaire | null;
  noteSentAt: number | null;
  intakeSubmittedAt: number | null;
}
/** One sealed note or set of answers as stored: whose it is (by the server's own record of the sender), the envelope, when. */
export interface SealedItem {
  participantId: string;
  envelope: SealedEnvelope;
  at: number;
}
/** Everything sealed for the therapist in one session, for the console to open. */
export interface SealedInboxResult {
  sessionId: string;
  intake: IntakeQuestionnaire | null;
  notes: SealedItem[];
  intakes: SealedItem[];
}
/** To the session's therapist only: a note or answers arrived (no content, no size). */
export interface SealedArrivedFact {
  sessionId: string;
  participantId: string;
  at: number;
}

/** Everyone in a call by public key (the server relays public keys only), to all of them whenever it changes. */
export interface CallMembersFact {
  sessionId: string;
  members: CallMember[];
}
/** A media key sealed by the therapist's console for this browser alone; the browser answers once it holds it. */
export interface KeySentFact {
  sessionId: string;
  envelope: KeyEnvelope;
}
/** The therapist's take-home list, sealed by the console to this browser's call key (the whole current list; it replaces any before). */
export interface ResourcesSentFact {
  sessionId: string;
  envelope: ResourceEnvelope;
}
/** The console's answer from the relay: whether the recipient's browser said it installed the key in time. */
export interface SendKeyResult {
  installed: boolean;
}

/** What a client learns when it checks in (and again after a reload). */
export interface CheckInResult {
  participantId: string;
  /** The session this invite belongs to: what `media:request-token` names once admitted. */
  sessionId: string;
  sessionKind: SessionKind;
  /** LiveKit's signalling URL (the one every token answer names): a waiting page warms its connection to it. */
  mediaUrl: string;
  state: Extract<PresenceState, 'waiting' | 'admitted' | 'in-call' | 'held'>;
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
  [COMMANDS.reportConnection]: Command<ConnectionReportCommand, null>;
  /**
   * Once admitted: the media token in the ack, on this socket alone (an ack is never broadcast, so
   * never written to the adapter's Redis stream). `POST /api/join/token` gives the same token for
   * refreshes and rejoins.
   */
  [COMMANDS.requestMediaToken]: Command<RequestMediaTokenCommand, MediaTokenResponse>;
  [COMMANDS.announceCallKey]: Command<AnnounceCallKeyCommand, CallMembersFact>;
  [COMMANDS.announceSessionKey]: Command<AnnounceSessionKeyCommand, CallMembersFact>;
  [COMMANDS.sendKey]: Command<SendKeyCommand, SendKeyResult>;
  [COMMANDS.sendResources]: Command<SendResourcesCommand, null>;
  [COMMANDS.activateKey]: Command<ActivateKeyCommand, null>;
  [COMMANDS.leaveCall]: Command<SessionCommand, null>;
  [COMMANDS.keepAlive]: Command<Record<string, never>, { expiresAt: number }>;
  [COMMANDS.watchSession]: Command<SessionCommand, WatchSessionResult>;
  [COMMANDS.admit]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.admitAll]: Command<SessionCommand, AdmitAllResult>;
  [COMMANDS.sendBack]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.postMessage]: Command<WaitingRoomMessageCommand, WaitingRoomMessage>;
  [COMMANDS.remove]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.mute]: Command<ParticipantCommand, { mutedTracks: number }>;
  [COMMANDS.hold]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.release]: Command<ParticipantCommand, ParticipantPresence>;
  [COMMANDS.endSession]: Command<SessionCommand, null>;
  [COMMANDS.describeSealedForms]: Command<Record<string, never>, SealedFormsResult>;
  [COMMANDS.sendPrivateNote]: Command<SendPrivateNoteCommand, { sentAt: number }>;
  [COMMANDS.submitIntake]: Command<SubmitIntakeCommand, { submittedAt: number }>;
  [COMMANDS.listSealed]: Command<SessionCommand, SealedInboxResult>;
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
 * The therapist's console says everyone who stays holds its rotated key (or the wait ran out):
 * encrypt with `keyIndex` (the slot in the browser's key ring, 0 … E2EE_KEYRING_SIZE - 1) from now on.
 */
export interface KeyActivatedFact {
  sessionId: string;
  keyIndex: number;
}
/** A browser's answer to `call:key-sent`: it holds the key at `keyIndex`. */
export type KeyReadyAck = z.input<typeof keyReadyAckSchema>;

/**
 * Key rotation is two-phase so that nobody encrypts with a key someone else
 * lacks: the console seals the new key to each browser that stays
 * (`participant:send-key` → `call:key-sent`), each puts it in its key ring
 * *beside* the old one and answers; the relay answers the console once that
 * browser answered, or after this bound; then the console says
 * `session:activate-key` (→ `call:key-activated`) and everyone encrypts with it.
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
  [FACTS.held]: (fact: Record<string, never>) => void;
  [FACTS.closed]: (fact: ClosedFact) => void;
  [FACTS.keyActivated]: (fact: KeyActivatedFact) => void;
  [FACTS.keySent]: (fact: KeySentFact, installed: (ack: KeyReadyAck) => void) => void;
  [FACTS.members]: (fact: CallMembersFact) => void;
  [FACTS.resourcesSent]: (fact: ResourcesSentFact) => void;
  [FACTS.loginExpired]: (fact: Record<string, never>) => void;
  [FACTS.presenceUpdated]: (fact: PresenceUpdatedFact) => void;
  [FACTS.deviceRefused]: (fact: DeviceRefusedFact) => void;
  [FACTS.sessionEnded]: (fact: SessionEndedFact) => void;
  [FACTS.privateNoteReceived]: (fact: SealedArrivedFact) => void;
  [FACTS.intakeSubmitted]: (fact: SealedArrivedFact) => void;
  [FACTS.intakeChanged]: (fact: Record<string, never>) => void;
}

/** `connect_error` data for a refused handshake. */
export type HandshakeErrorData = ErrorBody;
