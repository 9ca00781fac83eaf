import type { z } from 'zod';
import {
  activateKeySchema,
  announceCallKeySchema,
  announceSessionKeySchema,
  sendKeyEnvelopeSchema,
  sendResourcesSchema,
  checkInSchema,
  connectionReportSchema,
  emptyCommandSchema,
  COMMANDS,
  THERAPIST_MEMBER_ID,
  leaveWaitingRoomSchema,
  participantCommandSchema,
  requestMediaTokenSchema,
  sessionCommandSchema,
  sendPrivateNoteSchema,
  submitIntakeSchema,
  waitingRoomMessageSchema,
  type Ack,
  type ClientToServerEvents,
} from '@alcove/shared';
import type { ClientConnection, ClientPresence } from '../../waiting-room/client-presence.ts';
import type { HostControls } from '../../waiting-room/host-controls.ts';
import type { SessionService } from '../../sessions/session-service.ts';
import type { CallMembers } from '../../encryption/call-member-relay.ts';
import type { SealedInbox } from '../../encryption/sealed-inbox.ts';
import type { MediaTokenService, SocketTokenCredentials } from '../../tokens/media-token-service.ts';

type CommandName = keyof ClientToServerEvents;
type ResultOf<E extends CommandName> = Parameters<ClientToServerEvents[E]>[1] extends (ack: Ack<infer R>) => void ? R : never;

interface ClientCommand<E extends CommandName, S extends z.ZodType> {
  role: 'client';
  schema: S;
  /** `credentials`: what this socket's handshake proved (its invite's hash, its address), for the token request only. */
  run: (conn: ClientConnection, payload: z.output<S>, credentials: SocketTokenCredentials) => Promise<ResultOf<E>>;
  /** Close the socket after answering. */
  closesSocket?: boolean;
}
interface TherapistCommand<E extends CommandName, S extends z.ZodType> {
  role: 'therapist';
  schema: S;
  run: (therapist: { therapistId: string; expiresAt: number }, payload: z.output<S>) => Promise<ResultOf<E>>;
  closesSocket?: boolean;
}

export type CommandSpec<E extends CommandName> = ClientCommand<E, z.ZodType> | TherapistCommand<E, z.ZodType>;
export type CommandTable = { [E in CommandName]: CommandSpec<E> };

/** Every command, who may send it, its schema, and the domain call it maps to. */
export function createCommandTable(deps: {
  clients: ClientPresence;
  host: HostControls;
  sessions: SessionService;
  members: CallMembers;
  sealed: SealedInbox;
  tokens: MediaTokenService;
}): CommandTable {
  const { clients, host, sessions, members, sealed, tokens } = deps;
  type T = { therapistId: string; expiresAt: number };
  const table = {
    [COMMANDS.checkIn]: {
      role: 'client',
      schema: checkInSchema,
      run: (conn: ClientConnection, p: z.output<typeof checkInSchema>) => clients.checkIn(conn, p.displayName),
    },
    [COMMANDS.leave]: {
      role: 'client',
      schema: leaveWaitingRoomSchema,
      run: async (conn: ClientConnection) => {
        await clients.leave(conn);
        return null;
      },
      closesSocket: true,
    },
    // The token travels in this socket's ack alone: never in a broadcast (those go to the adapter's Redis stream).
    [COMMANDS.requestMediaToken]: {
      role: 'client',
      schema: requestMediaTokenSchema,
      run: (conn: ClientConnection, p: z.output<typeof requestMediaTokenSchema>, credentials: SocketTokenCredentials) =>
        tokens.forConnection({ conn, credentials, sessionId: p.sessionId }),
    },
    [COMMANDS.announceCallKey]: {
      role: 'client',
      schema: announceCallKeySchema,
      run: async (conn: ClientConnection, p: z.output<typeof announceCallKeySchema>) => ({
        sessionId: conn.sessionId,
        members: await members.announceClient(conn.participantId, conn.sessionId, p.publicKeys),
      }),
    },
    [COMMANDS.announceSessionKey]: {
      role: 'therapist',
      schema: announceSessionKeySchema,
      run: async (t: T, p: z.output<typeof announceSessionKeySchema>) => ({
        sessionId: p.sessionId,
        members: await members.announceTherapist(await sessions.getOwned(t.therapistId, p.sessionId), p.publicKeys),
      }),
    },
    // The envelope is opaque here: its shape and size are checked, its recipient must be admitted, nothing more can be.
    [COMMANDS.sendKey]: {
      role: 'therapist',
      schema: sendKeyEnvelopeSchema,
      run: async (t: T, p: z.output<typeof sendKeyEnvelopeSchema>) => members.sendKey(await sessions.getOwned(t.therapistId, p.sessionId), p.participantId, p.envelope),
    },
    // Only the session's own console: a client cannot address another participant. Opaque, never stored.
    [COMMANDS.sendResources]: {
      role: 'therapist',
      schema: sendResourcesSchema,
      run: async (t: T, p: z.output<typeof sendResourcesSchema>) => {
        await members.sendResources(await sessions.getOwned(t.therapistId, p.sessionId), p.participantId, p.envelope);
        return null;
      },
    },
    [COMMANDS.activateKey]: {
      role: 'therapist',
      schema: activateKeySchema,
      run: async (t: T, p: z.output<typeof activateKeySchema>) => {
        await members.activate(await sessions.getOwned(t.therapistId, p.sessionId), p.keyIndex);
        return null;
      },
    },
    // The console left its call: its keys leave the list, so nobody waits for a key from it.
    [COMMANDS.leaveCall]: {
      role: 'therapist',
      schema: sessionCommandSchema,
      run: async (t: T, p: z.output<typeof sessionCommandSchema>) => {
        await members.drop((await sessions.getOwned(t.therapistId, p.sessionId)).id, THERAPIST_MEMBER_ID);
        return null;
      },
    },
    [COMMANDS.reportConnection]: {
      role: 'client',
      schema: connectionReportSchema,
      run: async (conn: ClientConnection, p: z.output<typeof connectionReportSchema>) => {
        await clients.reportConnectionCheck(conn, p.verdict);
        return null;
      },
    },
    // Sent by the console while a call is on: an active call is activity, so the idle logout waits.
    [COMMANDS.keepAlive]: {
      role: 'therapist',
      schema: emptyCommandSchema,
      run: async (t: T) => ({ expiresAt: t.expiresAt }),
    },
    [COMMANDS.watchSession]: {
      role: 'therapist',
      schema: sessionCommandSchema,
      run: (t: T, p: z.output<typeof sessionCommandSchema>) => host.watch(t.therapistId, p.sessionId),
    },
    [COMMANDS.admit]: {
      role: 'therapist',
      schema: participantCommandSchema,
      run: (t: T, p: z.output<typeof participantCommandSchema>) => host.admit(t.therapistId, p.sessionId, p.participantId),
    },
    [COMMANDS.admitAll]: {
      role: 'therapist',
      schema: sessionCommandSchema,
      run: (t: T, p: z.output<typeof sessionCommandSchema>) => host.admitAll(t.therapistId, p.sessionId),
    },
    [COMMANDS.sendBack]: {
      role: 'therapist',
      schema: participantCommandSchema,
      run: (t: T, p: z.output<typeof participantCommandSchema>) => host.sendBack(t.therapistId, p.sessionId, p.participantId),
    },
    [COMMANDS.postMessage]: {
      role: 'therapist',
      schema: waitingRoomMessageSchema,
      run: (t: T, p: z.output<typeof waitingRoomMessageSchema>) => host.postMessage(t.therapistId, p.sessionId, p.text),
    },
    [COMMANDS.remove]: {
      role: 'therapist',
      schema: participantCommandSchema,
      run: (t: T, p: z.output<typeof participantCommandSchema>) => host.remove(t.therapistId, p.sessionId, p.participantId),
    },
    [COMMANDS.mute]: {
      role: 'therapist',
      schema: participantCommandSchema,
      run: (t: T, p: z.output<typeof participantCommandSchema>) => host.mute(t.therapistId, p.sessionId, p.participantId),
    },
    [COMMANDS.hold]: {
      role: 'therapist',
      schema: participantCommandSchema,
      run: (t: T, p: z.output<typeof participantCommandSchema>) => host.hold(t.therapistId, p.sessionId, p.participantId),
    },
    [COMMANDS.release]: {
      role: 'therapist',
      schema: participantCommandSchema,
      run: (t: T, p: z.output<typeof participantCommandSchema>) => host.release(t.therapistId, p.sessionId, p.participantId),
    },
    [COMMANDS.endSession]: {
      role: 'therapist',
      schema: sessionCommandSchema,
      run: async (t: T, p: z.output<typeof sessionCommandSchema>) => {
        await sessions.end(t.therapistId, p.sessionId);
        return null;
      },
    },
    // A client's note and answers are filed under its own participant (from its invite), never one it names.
    [COMMANDS.describeSealedForms]: {
      role: 'client',
      schema: emptyCommandSchema,
      run: (conn: ClientConnection) => sealed.describe(conn),
    },
    [COMMANDS.sendPrivateNote]: {
      role: 'client',
      schema: sendPrivateNoteSchema,
      run: async (conn: ClientConnection, p: z.output<typeof sendPrivateNoteSchema>) => ({ sentAt: await sealed.file(conn, 'note', p.envelope) }),
    },
    [COMMANDS.submitIntake]: {
      role: 'client',
      schema: submitIntakeSchema,
      run: async (conn: ClientConnection, p: z.output<typeof submitIntakeSchema>) => ({ submittedAt: await sealed.file(conn, 'intake', p.envelope) }),
    },
    [COMMANDS.listSealed]: {
      role: 'therapist',
      schema: sessionCommandSchema,
      run: async (t: T, p: z.output<typeof sessionCommandSchema>) => sealed.list(await sessions.getOwned(t.therapistId, p.sessionId)),
    },
  } satisfies Record<CommandName, unknown>; // a command missing here fails the type check
  return table as unknown as CommandTable;
}
