/**
 * The top-of-the-hour surge: every invited client connects and checks in,
 * spread over a window; each therapist's console admits a client the moment its
 * presence says "waiting"; each client fetches its media token the moment it
 * hears it was admitted. All times are taken in this one process with
 * performance.now(), so they share one clock.
 */
import { FACTS, COMMANDS, HTTP_ROUTES, type PresenceUpdatedFact, type MediaTokenResponse } from '@alcove/shared';
import { command, newDeviceId, type TypedClientSocket } from '../test/support/socket-clients.ts';
import { createHttpTarget } from './keep-alive-http.ts';
import { connectFrom, loopbackAddress } from './loopback-sockets.ts';
import type { BenchSession } from './seed-sessions.ts';

/** How long a single socket command may take before the bench calls it failed. */
const COMMAND_TIMEOUT_MS = 30_000;

export interface SurgeClient {
  participantId: string;
  sessionId: string;
  secret: string;
  deviceId: string;
  /** This person's own loopback source address. */
  address: string;
  /** The app instance this person's connection lands on (a load balancer's choice, made round-robin here). */
  origin: string;
  socket: TypedClientSocket | null;
}

interface Timeline {
  client: SurgeClient;
  connectStartAt?: number;
  connectedAt?: number;
  checkInAt?: number;
  checkInAckAt?: number;
  notifiedAt?: number;
  admitAt?: number;
  admitAckAt?: number;
  admittedFactAt?: number;
  tokenAt?: number;
  failure?: string;
  done: () => void;
}

export interface SurgeResult {
  clients: number;
  completed: number;
  /** Failure reason → count (codes and stages only). */
  failures: Record<string, number>;
  /** From the first connect attempt to the last one. */
  arrivalSpanMs: number;
  /** From the first connect attempt to the last token. */
  totalMs: number;
  connectMs: number[];
  checkInAckMs: number[];
  checkInToNotifiedMs: number[];
  admitAckMs: number[];
  admitToAdmittedFactMs: number[];
  admitToTokenMs: number[];
  /** Clients that got a token, still connected. */
  admitted: SurgeClient[];
  /** Every client socket that connected (to close later). */
  sockets: TypedClientSocket[];
  sampleToken: string | null;
}

/** A small seeded PRNG, so arrival order is the same run to run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const elapsed = (from: number | undefined, to: number | undefined): number | null => (from !== undefined && to !== undefined ? to - from : null);

export async function runSurge(options: {
  /** The app instances; clients are dealt to them in turn. */
  origins: readonly string[];
  /** Loopback block the clients' source addresses come from. */
  addressBlock: number;
  /** One console socket per therapist, by therapistId. */
  consoles: ReadonlyMap<string, TypedClientSocket>;
  sessions: readonly BenchSession[];
  spreadMs: number;
  seed: number;
  /** Hard stop: whatever has not finished by then counts as failed. */
  deadlineMs: number;
}): Promise<SurgeResult> {
  const timelines = new Map<string, Timeline>();
  const finished: Promise<void>[] = [];
  for (const session of options.sessions) {
    for (const invite of session.invites) {
      let done!: () => void;
      finished.push(new Promise<void>((resolve) => (done = resolve)));
      const client: SurgeClient = {
        participantId: invite.participantId,
        sessionId: session.sessionId,
        secret: invite.secret,
        deviceId: newDeviceId(),
        address: loopbackAddress(options.addressBlock, timelines.size),
        origin: options.origins[timelines.size % options.origins.length]!,
        socket: null,
      };
      timelines.set(invite.participantId, { client, done });
    }
  }
  // Each person's browser opens its own keep-alive connection (pools are per source address).
  const http = new Map(options.origins.map((origin) => [origin, createHttpTarget(origin, 4)]));
  const fail = (t: Timeline, reason: string) => {
    if (t.failure || t.tokenAt !== undefined) return;
    t.failure = reason;
    t.done();
  };

  // The therapists' consoles: admit as soon as presence says "waiting".
  const listeners: [TypedClientSocket, (fact: PresenceUpdatedFact) => void][] = [];
  for (const desk of options.consoles.values()) {
    const onPresence = (fact: PresenceUpdatedFact) => {
      if (fact.participant.state !== 'waiting') return;
      const t = timelines.get(fact.participant.participantId);
      if (!t || t.notifiedAt !== undefined) return;
      t.notifiedAt = performance.now();
      t.admitAt = performance.now();
      command(desk, COMMANDS.admit, { sessionId: fact.sessionId, participantId: fact.participant.participantId }, COMMAND_TIMEOUT_MS).then(
        (ack) => {
          t.admitAckAt = performance.now();
          if (!ack.ok) fail(t, `admit:${ack.error.code}`);
        },
        () => fail(t, 'admit:timeout'),
      );
    };
    desk.on(FACTS.presenceUpdated, onPresence);
    listeners.push([desk, onPresence]);
  }

  const fetchToken = async (t: Timeline) => {
    const { secret, deviceId, address, origin } = t.client;
    try {
      const response = await http.get(origin)!.postJson<MediaTokenResponse>(HTTP_ROUTES.joinToken.path, { invite: secret, deviceId }, { localAddress: address });
      if (response.status !== 200 || typeof response.body?.token !== 'string') return fail(t, `token:http-${response.status}`);
      t.tokenAt = performance.now();
      sampleToken ??= response.body.token;
      t.done();
    } catch {
      fail(t, 'token:error');
    }
  };
  let sampleToken: string | null = null;

  const arrive = async (t: Timeline, index: number) => {
    t.connectStartAt = performance.now();
    let socket: TypedClientSocket;
    try {
      socket = await connectFrom(t.client.origin, t.client.address, { auth: { invite: t.client.secret, deviceId: t.client.deviceId } });
    } catch (error) {
      const code = (error as { data?: { error?: { code?: string } } }).data?.error?.code ?? 'error';
      return fail(t, `connect:${code}`);
    }
    t.connectedAt = performance.now();
    t.client.socket = socket;
    socket.once(FACTS.admitted, () => {
      t.admittedFactAt = performance.now();
      void fetchToken(t);
    });
    socket.once('disconnect', () => fail(t, 'socket:disconnected'));
    t.checkInAt = performance.now();
    try {
      const ack = await command(socket, COMMANDS.checkIn, { displayName: `Client ${index + 1}` }, COMMAND_TIMEOUT_MS);
      t.checkInAckAt = performance.now();
      if (!ack.ok) fail(t, `check-in:${ack.error.code}`);
    } catch {
      fail(t, 'check-in:timeout');
    }
  };

  // Partners of a couple arrive independently: a seeded shuffle, evenly spaced.
  const order = shuffled([...timelines.values()], options.seed);
  const gapMs = order.length > 1 ? options.spreadMs / (order.length - 1) : 0;
  const start = performance.now();
  const timers = order.map((t, index) => setTimeout(() => void arrive(t, index), index * gapMs));

  let deadlineTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(finished),
    new Promise<void>((resolve) => (deadlineTimer = setTimeout(resolve, options.deadlineMs))),
  ]);
  clearTimeout(deadlineTimer);
  for (const timer of timers) clearTimeout(timer);
  for (const [desk, onPresence] of listeners) desk.off(FACTS.presenceUpdated, onPresence);
  // Closes the token connections, so they do not count in the server's memory per waiting client.
  for (const target of http.values()) target.close();
  for (const t of timelines.values()) {
    if (t.tokenAt === undefined && !t.failure) fail(t, t.connectStartAt === undefined ? 'not-started' : 'deadline');
  }

  const all = [...timelines.values()];
  const collect = (pick: (t: Timeline) => number | null) => all.map(pick).filter((v): v is number => v !== null);
  const failures: Record<string, number> = {};
  for (const t of all) if (t.failure) failures[t.failure] = (failures[t.failure] ?? 0) + 1;
  const starts = collect((t) => t.connectStartAt ?? null);
  const tokens = collect((t) => t.tokenAt ?? null);

  return {
    clients: all.length,
    completed: tokens.length,
    failures,
    arrivalSpanMs: starts.length ? Math.max(...starts) - Math.min(...starts) : 0,
    totalMs: tokens.length ? Math.max(...tokens) - start : 0,
    connectMs: collect((t) => elapsed(t.connectStartAt, t.connectedAt)),
    checkInAckMs: collect((t) => elapsed(t.checkInAt, t.checkInAckAt)),
    checkInToNotifiedMs: collect((t) => elapsed(t.checkInAt, t.notifiedAt)),
    admitAckMs: collect((t) => elapsed(t.admitAt, t.admitAckAt)),
    admitToAdmittedFactMs: collect((t) => elapsed(t.admitAt, t.admittedFactAt)),
    admitToTokenMs: collect((t) => elapsed(t.admitAt, t.tokenAt)),
    admitted: all.filter((t) => t.tokenAt !== undefined).map((t) => t.client),
    sockets: all.map((t) => t.client.socket).filter((s): s is TypedClientSocket => s !== null),
    sampleToken,
  };
}
