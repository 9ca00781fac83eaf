/**
 * `npm run bench:drain`: a deploy with people waiting. Two app instances behind
 * the real proxy (Debian's Caddy, `lb_policy first`, so everyone starts on the
 * first instance), N clients checked in and every therapist's console open; then
 * the first instance gets SIGTERM. Each client reconnects as the browser does
 * (Socket.io's own back-off, reconnectionDelayMax 4 s) and checks in again, as
 * the join page does after a reconnect. Prints, from the SIGTERM: the instance's
 * exit, each client back on the other instance and checked in, whether every
 * waiting place kept its time, and the CPU shares. Figures only; nothing asserted.
 *
 *   npx tsx bench/drain.ts [--clients 1000] [--therapists 50]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, type CheckInResult } from '@alcove/shared';
import { command, type TypedClientSocket } from '../test/support/socket-clients.ts';
import { startCaddyFront, type CaddyFront } from '../test/support/caddy-front.ts';
import { freeTcpPort } from '../test/support/free-port.ts';
import { startBenchStack, type BenchStack } from './bench-stack.ts';
import { createHttpTarget } from './keep-alive-http.ts';
import { summarise } from './latency-stats.ts';
import { createMachineMeter } from './process-metrics.ts';
import { ADDRESS_BLOCK, connectFrom, loopbackAddress } from './loopback-sockets.ts';
import { eraseBenchKeys, forEachLimited, seedCoupleSessions, seedTherapists } from './seed-sessions.ts';
import { runWithWatchdog } from './run-with-watchdog.ts';

const WATCHDOG_MS = 5 * 60_000;
/** Whatever has not come back by then counts as lost. */
const BACK_DEADLINE_MS = 30_000;
/** The browser's Socket.io options (client/src/api/socket-connection.ts). */
const BROWSER_RECONNECTION_DELAY_MAX_MS = 4_000;
const DRAIN_GOAL_MS = 3_000;

const { values: args } = parseArgs({
  options: { clients: { type: 'string', default: '1000' }, therapists: { type: 'string', default: '50' } },
});
const clients = Number(args.clients);
const therapistCount = Number(args.therapists);
if (!Number.isInteger(clients) || clients < 2 || clients % 2 !== 0) throw new Error('--clients must be an even integer ≥ 2 (couple sessions)');
if (!Number.isInteger(therapistCount) || therapistCount < 1) throw new Error('--therapists must be a positive integer');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const progress = (message: string) => process.stderr.write(`bench:drain: ${message}\n`);

interface Waiter {
  socket: TypedClientSocket;
  waitingSince: number;
  cutAt?: number;
  reconnectedAt?: number;
  checkedInAt?: number;
  placeKept?: boolean;
  failure?: string;
}

/** Reconnects like the browser, then checks in again like the join page; records when. */
function followReturn(waiter: Waiter, displayName: string, done: () => void): void {
  const { socket } = waiter;
  socket.io.reconnection(true);
  socket.io.reconnectionDelayMax(BROWSER_RECONNECTION_DELAY_MAX_MS);
  socket.once('disconnect', () => (waiter.cutAt = performance.now()));
  socket.io.once('reconnect', () => {
    waiter.reconnectedAt = performance.now();
    command<CheckInResult>(socket, COMMANDS.checkIn, { displayName }, BACK_DEADLINE_MS).then(
      (ack) => {
        waiter.checkedInAt = performance.now();
        if (!ack.ok) waiter.failure = `check-in:${ack.error.code}`;
        else waiter.placeKept = ack.data.waitingSince === waiter.waitingSince;
        done();
      },
      () => {
        waiter.failure = 'check-in:timeout';
        done();
      },
    );
  });
}

async function main(): Promise<number> {
  const loadAverageAtStart = loadavg()[0]!;
  const workDir = mkdtempSync(join(tmpdir(), 'alcove-bench-drain-'));
  const frontPort = await freeTcpPort();
  const frontOrigin = `http://127.0.0.1:${frontPort}`;
  let stack: BenchStack | undefined;
  let front: CaddyFront | undefined;
  const sockets: TypedClientSocket[] = [];
  try {
    progress(`starting LiveKit, two app instances and Caddy in front (logs in ${workDir})`);
    stack = await startBenchStack({ redisUrl, workDir, cpuProfile: false, instances: 2, front: { publicUrl: frontOrigin } });
    const [leaving, staying] = stack.apps as [BenchStack['app'], BenchStack['app']];
    front = await startCaddyFront([Number(new URL(leaving.origin).port), Number(new URL(staying.origin).port)], { port: frontPort });

    progress(`seeding ${therapistCount} therapists and ${clients / 2} couple sessions`);
    const seeding = createHttpTarget(frontOrigin, 16);
    const therapists = await seedTherapists({ redisUrl, redisPrefix: stack.redisPrefix, http: seeding, count: therapistCount });
    const sessions = await seedCoupleSessions(seeding, therapists, clients / 2);
    seeding.close();

    const consoles: TypedClientSocket[] = [];
    await forEachLimited(therapists, 8, async (therapist) => {
      const socket = await connectFrom(frontOrigin, therapist.address, { cookie: therapist.cookie });
      socket.io.reconnection(true);
      socket.io.reconnectionDelayMax(BROWSER_RECONNECTION_DELAY_MAX_MS);
      consoles.push(socket);
      sockets.push(socket);
    });

    progress(`${clients} clients connecting through the proxy and checking in`);
    const invites = sessions.flatMap((s) => s.invites);
    const waiters: Waiter[] = [];
    const returns: Promise<void>[] = [];
    await forEachLimited(invites, 32, async (invite, index) => {
      const deviceId = `bench-device-${index}`;
      const socket = await connectFrom(frontOrigin, loopbackAddress(ADDRESS_BLOCK.surgeClients, index), { auth: { invite: invite.secret, deviceId } });
      sockets.push(socket);
      const ack = await command<CheckInResult>(socket, COMMANDS.checkIn, { displayName: `Client ${index + 1}` }, BACK_DEADLINE_MS);
      if (!ack.ok) throw new Error(`check-in failed before the drain: ${ack.error.code}`);
      const waiter: Waiter = { socket, waitingSince: ack.data.waitingSince };
      waiters.push(waiter);
      returns.push(new Promise<void>((resolve) => followReturn(waiter, `Client ${index + 1}`, resolve)));
    });

    progress(`SIGTERM to the first instance with ${waiters.length} clients and ${consoles.length} consoles on it`);
    const machine = createMachineMeter({ driver: process.pid, ...stack.processes() });
    const signalledAt = performance.now();
    process.kill(leaving.pid, 'SIGTERM');
    const exited = leaving.stop().then(() => performance.now());
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(returns), new Promise<void>((resolve) => (deadline = setTimeout(resolve, BACK_DEADLINE_MS)))]);
    clearTimeout(deadline);
    const exitedAt = await exited;
    const share = machine.stop();

    const since = (at: number | undefined) => (at === undefined ? null : at - signalledAt);
    const pick = (f: (w: Waiter) => number | null) => waiters.map(f).filter((v): v is number => v !== null);
    const back = waiters.filter((w) => w.checkedInAt !== undefined && !w.failure);
    const cut = summarise(pick((w) => since(w.cutAt)));
    const reconnected = summarise(pick((w) => since(w.reconnectedAt)));
    const checkedIn = summarise(pick((w) => since(w.checkedInAt)));
    const failures: Record<string, number> = {};
    for (const w of waiters) {
      const reason = w.failure ?? (w.checkedInAt === undefined ? (w.cutAt === undefined ? 'never-cut' : 'not-back') : null);
      if (reason) failures[reason] = (failures[reason] ?? 0) + 1;
    }
    const kept = back.filter((w) => w.placeKept).length;
    const row = (label: string, s: ReturnType<typeof summarise>) =>
      `   ${label.padEnd(40)}${s.p50Ms?.toFixed(0).padStart(8)}${s.p90Ms?.toFixed(0).padStart(8)}${s.p99Ms?.toFixed(0).padStart(8)}${s.maxMs?.toFixed(0).padStart(8)}${String(s.count).padStart(7)}`;
    const lastBackMs = checkedIn.maxMs ?? Number.NaN;
    const lines = [
      `Alcove drain bench — ${new Date().toISOString()}, Node ${process.version}, load average at start ${loadAverageAtStart.toFixed(2)}`,
      `   ${clients} waiting clients and ${consoles.length} consoles on instance 1 of 2, behind Caddy; SIGTERM to instance 1`,
      `   instance 1 exited ${(exitedAt - signalledAt).toFixed(0)} ms after SIGTERM`,
      `   ${'ms after SIGTERM'.padEnd(40)}${'p50'.padStart(8)}${'p90'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}${'n'.padStart(7)}`,
      row('connection cut', cut),
      row('reconnected (through Caddy, instance 2)', reconnected),
      row('checked in again', checkedIn),
      `   every client back: ${back.length}/${clients} in ${lastBackMs.toFixed(0)} ms (goal ≤ ${DRAIN_GOAL_MS} ms)   ${back.length === clients && lastBackMs <= DRAIN_GOAL_MS ? 'PASS' : 'MISS'}`,
      `   waiting places kept with their time: ${kept}/${back.length}; failures: ${Object.keys(failures).length ? JSON.stringify(failures) : 'none'}`,
      `   CPU (cores) from SIGTERM to the last client back: ${Object.entries(share.cores).map(([name, cores]) => `${name} ${Number.isNaN(cores) ? 'exited' : cores.toFixed(2)}`).join(', ')}, others ${share.otherCores.toFixed(2)}, machine ${share.machineCores.toFixed(2)}`,
      `   logs: ${workDir}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    process.stdout.write(JSON.stringify({ clients, exitMs: exitedAt - signalledAt, cut, reconnected, checkedIn, back: back.length, kept, failures, cores: share }) + '\n');
    return back.length === clients && kept === clients ? 0 : 1;
  } finally {
    progress('stopping');
    for (const socket of sockets) socket.close();
    await front?.stop();
    await stack?.stop();
    if (stack) await eraseBenchKeys(redisUrl, stack.redisPrefix).catch(() => undefined);
  }
}

runWithWatchdog(main, WATCHDOG_MS, progress);
