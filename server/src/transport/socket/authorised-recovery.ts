/**
 * Connection-state recovery that asks first.
 *
 * Socket.io restores a recovering socket inside its constructor: it joins the old
 * socket's rooms and sends every missed packet *before* any middleware runs, so a
 * removed client with its old `pid`, or anyone holding a `pid` and some other valid
 * invite, received packets its current credentials do not entitle it to. Here the
 * handshake is authorised before the socket exists, and the old connection's state is
 * restored only when every room it held is one the current identity may be in; otherwise the
 * socket starts fresh, with no rooms and no missed packets.
 *
 * This replaces Namespace#_createSocket, Socket.io's (internal) factory: the test
 * test/integration/socket-recovery-authorisation.test.ts fails if an upgrade changes it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'socket.io';
import { AppError } from '../../app-error.ts';
import type { Logger } from '../../observability/logger.ts';
import { roomsFor, splitHandshake } from './socket-handshake.ts';
import type { AlcoveServer, AlcoveSocket, SocketIdentity } from './socket-types.ts';

/** What the handshake decided, read by the Socket.io middleware that accepts or refuses. */
export type Admission =
  | { ok: true; identity: SocketIdentity; recovered: boolean; settle: () => void }
  | { ok: false; error: unknown };

/** Socket.io calls this a "session"; here it is only a connection's rooms and missed packets. */
interface RestoredConnection {
  sid: string;
  rooms: string[];
}

interface EngineConnection {
  request: IncomingMessage;
  once(event: 'close', listener: () => void): void;
  off(event: 'close', listener: () => void): void;
}

interface NamespaceInternals {
  adapter: { restoreSession(pid: string, offset: string): Promise<RestoredConnection | null> };
  _createSocket(client: { conn: EngineConnection }, auth: unknown): Promise<AlcoveSocket>;
}

export interface AuthorisedRecoveryDeps {
  logger: Logger;
  authorise(credentials: Record<string, unknown>, request: IncomingMessage, connectionId: string): Promise<SocketIdentity>;
  /** Refuses the handshake before any lookup (e.g. too many connections from one address). */
  admitAddress(request: IncomingMessage): AppError | null;
  /** A client's connection closed after its invite was accepted but before it connected. */
  onClosedBeforeConnect(identity: SocketIdentity): void;
}

export function authoriseBeforeRecovery(io: AlcoveServer, deps: AuthorisedRecoveryDeps): (socket: AlcoveSocket) => Admission | undefined {
  const nsp = io.of('/');
  const internals = nsp as unknown as NamespaceInternals;
  if (typeof internals._createSocket !== 'function') throw new Error('socket.io: Namespace#_createSocket is missing; recovery cannot be guarded');
  const admissions = new WeakMap<AlcoveSocket, Admission>();

  internals._createSocket = async (client, auth) => {
    const { credentials, recovery } = splitHandshake(auth);
    const request = client.conn.request;
    let admission: Admission;
    let restored: RestoredConnection | null = null;
    try {
      const refused = deps.admitAddress(request);
      if (refused) throw refused;
      // Our own connection id, not Socket.io's: a recovered socket keeps its old id.
      const identity = await deps.authorise(credentials, request, randomBytes(15).toString('base64url'));
      if (recovery) {
        restored = await internals.adapter.restoreSession(recovery.pid, recovery.offset).catch(() => null);
        const entitled = new Set([...roomsFor(identity), restored?.sid]);
        if (restored && !restored.rooms.every((room) => entitled.has(room))) {
          deps.logger.warn('recovery refused: connection belongs to other credentials', { event: 'socket.recovery-refused', socketRole: identity.role });
          restored = null;
        }
      }
      const closedEarly = () => deps.onClosedBeforeConnect(identity);
      client.conn.once('close', closedEarly);
      admission = { ok: true, identity, recovered: restored !== null, settle: () => client.conn.off('close', closedEarly) };
    } catch (error) {
      admission = { ok: false, error };
    }
    const SocketClass = Socket as unknown as new (...args: unknown[]) => AlcoveSocket;
    const socket = restored ? new SocketClass(nsp, client, credentials, restored) : new SocketClass(nsp, client, credentials);
    admissions.set(socket, admission);
    return socket;
  };

  return (socket) => admissions.get(socket);
}
