/**
 * Runs a socket's commands: every event is counted against the socket's rate (a flood closes
 * the socket, logged once), only commands of the table are answered, each through its strict
 * schema and with the role it needs, and every answer is an ack built by `toAppError` — the
 * same path as HTTP errors, so no foreign error text reaches a browser.
 */
import type { Ack } from '@alcove/shared';
import { AppError, toAppError } from '../../app-error.ts';
import type { LoginService } from '../../auth/login-service.ts';
import type { Logger } from '../../observability/logger.ts';
import { parseInput } from '../http/validate.ts';
import type { WorkInFlight } from './work-in-flight.ts';
import { createEventRateLimit } from './event-rate-limit.ts';
import type { CommandTable } from './socket-commands.ts';
import type { AlcoveSocket, SocketIdentity } from './socket-types.ts';

/**
 * Events a socket may send: a burst, then a steady rate. A client sends a handful per minute. A
 * therapist's console also relays the call's encryption by itself: on every change of the member
 * list (a join, a send-back, a reconnect) one sealed key per member, an activation and one sealed
 * take-home list per client. Partners whose networks flap make those changes come in quick
 * succession, so the console's rate is the client's times the envelopes of a couple's change.
 */
export const SOCKET_EVENT_RATES: Readonly<Record<SocketIdentity['role'], { burst: number; refillPerSecond: number }>> = {
  client: { burst: 30, refillPerSecond: 10 },
  therapist: { burst: 90, refillPerSecond: 30 },
};

export interface CommandDispatchDeps {
  commands: CommandTable;
  login: LoginService;
  logger: Logger;
  /** Counted while they run, so a drain answers them before it closes the socket. */
  inFlight: WorkInFlight;
}

/** Disconnects a socket that sends faster than its rate, with one log line however many events were in flight. */
function floodGuard(socket: AlcoveSocket, identity: SocketIdentity, logger: Logger): () => boolean {
  const rate = createEventRateLimit(SOCKET_EVENT_RATES[identity.role]);
  let flooded = false;
  return () => {
    if (rate.take()) return true;
    if (!flooded) {
      flooded = true;
      logger.warn('socket flood, disconnecting', { event: 'socket.flood', socketRole: identity.role });
      socket.disconnect(true);
    }
    return false;
  };
}

async function runCommand(spec: CommandTable[keyof CommandTable], identity: SocketIdentity, payload: unknown, login: LoginService): Promise<unknown> {
  if (spec.role !== identity.role) throw AppError.forbidden();
  const input = parseInput(spec.schema, payload);
  if (spec.role === 'client' && identity.role === 'client') return spec.run(identity.conn, input as never, identity.credentials);
  if (spec.role === 'therapist' && identity.role === 'therapist') {
    // Re-checks the login on every command: logout and idle expiry take effect at once.
    const therapist = await login.authenticate(identity.token);
    return spec.run(therapist, input as never);
  }
  return undefined;
}

export function dispatchCommands(socket: AlcoveSocket, identity: SocketIdentity, deps: CommandDispatchDeps): void {
  const withinRate = floodGuard(socket, identity, deps.logger);

  async function answer(event: string, spec: CommandTable[keyof CommandTable], payload: unknown, reply: (result: Ack<unknown>) => void): Promise<void> {
    try {
      const data = await deps.inFlight.track(runCommand(spec, identity, payload, deps.login));
      reply({ ok: true, data: data ?? null });
      if (spec.closesSocket) socket.disconnect(true);
    } catch (error) {
      const appError = toAppError(error);
      if (appError.status >= 500 && appError.code !== 'service_unavailable') {
        deps.logger.error('socket command failed', { event, code: appError.code, errorName: (appError.cause as Error | undefined)?.name });
      }
      reply({ ok: false, error: appError.toBody() });
      if (appError.code === 'unauthorized') socket.disconnect(true);
    }
  }

  // One listener for every event, not one per command: a socket costs a closure, a context and
  // a slot in its listener table per listener, on every connected socket (bench --heap-snapshot).
  // An event over the rate is not run; the first one also closes the socket.
  socket.onAny((event: string, ...args: unknown[]) => {
    if (!withinRate()) return;
    if (!Object.hasOwn(deps.commands, event)) {
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ ok: false, error: AppError.badRequest({ reason: 'unknown-command' }).toBody() } satisfies Ack<never>);
      return;
    }
    const [payload, ack] = args;
    if (typeof ack !== 'function') return; // every command must carry an ack
    void answer(event, deps.commands[event as keyof CommandTable], payload, ack as (result: Ack<unknown>) => void);
  });
}
