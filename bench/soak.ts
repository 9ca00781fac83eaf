/**
 * `npm run bench:soak`: does the app hold memory it should give back? One app
 * instance with N clients connected and waiting the whole time, plus churn:
 * every second `--churn` more people connect, check in and drop their
 * connection a moment later (a flaky home network), then come back on the same
 * invite and device some seconds on. Every 10 s the app is garbage-collected and
 * its RSS and V8 heap are read; the slope of a least-squares line through the
 * samples after the warm-up is the figure (goal ≈ 0). Figures only.
 *
 *   npx tsx bench/soak.ts [--minutes 10] [--clients 1000] [--churn 10]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, type CheckInResult } from '@alcove/shared';
import { command, type TypedClientSocket } from '../test/support/socket-clients.ts';
import { startBenchStack, type BenchStack } from './bench-stack.ts';
import { createHttpTarget } from './keep-alive-http.ts';
import { createMachineMeter, readRssBytes } from './process-metrics.ts';
import { ADDRESS_BLOCK, connectFrom, loopbackAddress } from './loopback-sockets.ts';
import { eraseBenchKeys, forEachLimited, seedCoupleSessions, seedTherapists, type BenchInvite } from './seed-sessions.ts';
import { runWithWatchdog } from './run-with-watchdog.ts';

const SAMPLE_EVERY_MS = 10_000;
/** Samples before this are the warm-up (first allocations, JIT, pools filling) and not in the slope. */
const WARMUP_MS = 60_000;
/** A churning person stays connected this long before their connection drops. */
const CHURN_STAY_MS = 2_000;
const COMMAND_TIMEOUT_MS = 15_000;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '1000' },
    churn: { type: 'string', default: '10' },
    therapists: { type: 'string', default: '50' },
  },
});
const minutes = Number(args.minutes);
const steadyClients = Number(args.clients);
const churnPerSecond = Number(args.churn);
const therapistCount = Number(args.therapists);
for (const [name, value] of Object.entries({ minutes, clients: steadyClients, churn: churnPerSecond, therapists: therapistCount })) {
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`--${name} must be a positive number`);
}
if (steadyClients % 2 !== 0) throw new Error('--clients must be even (couple sessions)');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const progress = (message: string) => process.stderr.write(`bench:soak: ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

async function main(): Promise<number> {
  const loadAverageAtStart = loadavg()[0]!;
  const workDir = mkdtempSync(join(tmpdir(), 'alcove-bench-soak-'));
  const durationMs = minutes * 60_000;
  let stack: BenchStack | undefined;
  const steady: TypedClientSocket[] = [];
  try {
    progress(`starting LiveKit and the app (logs in ${workDir})`);
    stack = await startBenchStack({ redisUrl, workDir, cpuProfile: false });
    // One churn invite per person who can be churning at once, reused when they come back.
    const churnPool = Math.max(2, Math.ceil((churnPerSecond * (CHURN_STAY_MS + 10_000)) / 1000 / 2) * 2);
    progress(`seeding ${therapistCount} therapists and ${(steadyClients + churnPool) / 2} couple sessions`);
    const seeding = createHttpTarget(stack.app.origin, 16);
    const therapists = await seedTherapists({ redisUrl, redisPrefix: stack.redisPrefix, http: seeding, count: therapistCount });
    const sessions = await seedCoupleSessions(seeding, therapists, (steadyClients + churnPool) / 2);
    seeding.close();
    const invites = sessions.flatMap((s) => s.invites);
    const steadyInvites = invites.slice(0, steadyClients);
    const churnInvites = invites.slice(steadyClients);

    progress('restarting the app, so the process measured has not hashed passwords');
    const [app] = await stack.restartApps();
    const origin = app!.origin;
    await forEachLimited(therapists, 8, async (therapist) => {
      steady.push(await connectFrom(origin, therapist.address, { cookie: therapist.cookie }));
    });
    progress(`${steadyClients} steady clients connecting and checking in`);
    await forEachLimited(steadyInvites, 32, async (invite, index) => {
      const socket = await connectFrom(origin, loopbackAddress(ADDRESS_BLOCK.surgeClients, index), { auth: { invite: invite.secret, deviceId: `soak-steady-${index}` } });
      steady.push(socket);
      const ack = await command<CheckInResult>(socket, COMMANDS.checkIn, { displayName: `Steady ${index + 1}` }, COMMAND_TIMEOUT_MS);
      if (!ack.ok) throw new Error(`steady check-in failed: ${ack.error.code}`);
    });

    const failures: Record<string, number> = {};
    const fail = (reason: string) => (failures[reason] = (failures[reason] ?? 0) + 1);
    let churned = 0;
    let nextAddress = 0;
    let nextInvite = 0;
    const busy = new Set<BenchInvite>();
    const churnOnce = async () => {
      const invite = churnInvites[nextInvite++ % churnInvites.length]!;
      if (busy.has(invite)) return fail('pool-exhausted');
      busy.add(invite);
      try {
        // A new address each time (a phone moving between networks); the same device.
        const address = loopbackAddress(ADDRESS_BLOCK.warmupClients, nextAddress++ % 60_000);
        const socket = await connectFrom(origin, address, { auth: { invite: invite.secret, deviceId: `soak-churn-${churnInvites.indexOf(invite)}` } });
        const ack = await command<CheckInResult>(socket, COMMANDS.checkIn, { displayName: 'Churning' }, COMMAND_TIMEOUT_MS);
        if (!ack.ok) fail(`check-in:${ack.error.code}`);
        await sleep(CHURN_STAY_MS);
        socket.close();
        churned += 1;
      } catch (error) {
        fail(`connect:${(error as { data?: { error?: { code?: string } } }).data?.error?.code ?? 'error'}`);
      } finally {
        busy.delete(invite);
      }
    };

    progress(`soaking for ${minutes} min: ${steadyClients} steady clients, ${churnPerSecond} connects/s of churn`);
    const machine = createMachineMeter({ driver: process.pid, ...stack.processes() });
    const startedAt = performance.now();
    const churnTimer = setInterval(() => {
      for (let i = 0; i < churnPerSecond; i += 1) void churnOnce();
    }, 1000);
    const samples: { atMs: number; rssBytes: number; heapUsedBytes: number }[] = [];
    while (performance.now() - startedAt < durationMs) {
      await sleep(SAMPLE_EVERY_MS);
      const sample = await app!.sample({ collectGarbage: true });
      const atMs = performance.now() - startedAt;
      samples.push({ atMs, rssBytes: readRssBytes(app!.pid), heapUsedBytes: sample.heapUsedBytes });
      progress(`${(atMs / 1000).toFixed(0)} s: RSS ${(samples.at(-1)!.rssBytes / 2 ** 20).toFixed(1)} MiB, heap ${(sample.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, churned ${churned}`);
    }
    clearInterval(churnTimer);
    const share = machine.stop();
    const stillConnected = steady.filter((s) => s.connected).length;

    const measured = samples.filter((s) => s.atMs >= WARMUP_MS);
    const perMinute = (pick: (s: (typeof samples)[number]) => number) => slope(measured.map((s) => ({ x: s.atMs / 60_000, y: pick(s) / 1024 })));
    const rssSlopeKbPerMin = perMinute((s) => s.rssBytes);
    const heapSlopeKbPerMin = perMinute((s) => s.heapUsedBytes);
    const first = measured[0];
    const last = measured.at(-1);
    const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(1));
    const lines = [
      `Alcove soak — ${new Date().toISOString()}, Node ${process.version}, load average at start ${loadAverageAtStart.toFixed(2)}`,
      `   ${minutes} min, ${steadyClients} steady clients (${stillConnected - therapists.length} still connected at the end), ${therapists.length} consoles, churn ${churnPerSecond} connects/s (${churned} people came and dropped)`,
      `   RSS after warm-up ${mib(first?.rssBytes)} MiB → ${mib(last?.rssBytes)} MiB at the end; slope ${rssSlopeKbPerMin.toFixed(1)} KB/min (goal ≈ 0); V8 heap slope ${heapSlopeKbPerMin.toFixed(1)} KB/min`,
      `   per churned connection: ${churned > 0 && last && first ? ((last.rssBytes - first.rssBytes) / churned).toFixed(1) : '—'} bytes of RSS kept`,
      `   failures: ${Object.keys(failures).length ? JSON.stringify(failures) : 'none'}`,
      `   CPU (cores): ${Object.entries(share.cores).map(([name, cores]) => `${name} ${cores.toFixed(2)}`).join(', ')}, others ${share.otherCores.toFixed(2)}, machine ${share.machineCores.toFixed(2)}`,
      `   logs: ${workDir}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    process.stdout.write(JSON.stringify({ minutes, steadyClients, churnPerSecond, churned, rssSlopeKbPerMin, heapSlopeKbPerMin, samples, failures, cores: share }) + '\n');
    return Object.keys(failures).length === 0 ? 0 : 1;
  } finally {
    progress('stopping');
    for (const socket of steady) socket.close();
    await stack?.stop();
    if (stack) await eraseBenchKeys(redisUrl, stack.redisPrefix).catch(() => undefined);
  }
}

runWithWatchdog(main, (minutes + 5) * 60_000, progress);
