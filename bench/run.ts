/**
 * `npm run bench`: the signaling core on a real local stack (LiveKit, Redis,
 * the app in its own process), measuring
 *   1. media tokens per second through the real path vs a bare signing ceiling;
 *   2. a top-of-the-hour surge: check-in → therapist notified, admit → token;
 *   3. server RSS per connected client.
 * Everything is bounded: fixed counts, fixed durations, and a watchdog.
 *
 *   npx tsx bench/run.ts [--sessions 500] [--therapists 50] [--spread-ms 10000]
 *                        [--concurrency 32] [--round-ms 5000] [--rounds 2] [--cpu-prof]
 *                        [--app-node-flags '--max-semi-space-size=4']   (the app instances' Node flags)
 *                        [--heap-snapshot]   (the first instance's heap before and after the surge,
 *                                             for bench/summarise-heap.ts)
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { createClient } from 'redis';
import { TokenVerifier } from 'livekit-server-sdk';
import { HTTP_ROUTES } from '@alcove/shared';
import { talkOnlyGrant } from '../server/src/tokens/talk-only-grant.ts';
import type { TypedClientSocket } from '../test/support/socket-clients.ts';
import { BENCH_LIVEKIT_KEYS, startBenchStack, type BenchStack } from './bench-stack.ts';
import { createHttpTarget, type HttpTarget } from './keep-alive-http.ts';
import { createCpuMeter, createMachineMeter, readPeakRssBytes, readRssBytes, readTcpCounters } from './process-metrics.ts';
import { ADDRESS_BLOCK, connectFrom } from './loopback-sockets.ts';
import { sampleListenQueues } from './listen-queues.ts';
import { renderReport, type MemoryFigures } from './report.ts';
import { eraseBenchKeys, forEachLimited, seedCoupleSessions, seedTherapists } from './seed-sessions.ts';
import { runSurge, type SurgeResult } from './surge.ts';
import { measureTokenThroughput } from './token-throughput.ts';
import { runWithWatchdog } from './run-with-watchdog.ts';

const WATCHDOG_MS = 10 * 60_000;
const WARMUP_SESSIONS = 25;
const SETTLE_MS = 2_000;
/**
 * Memory counts as settled after this many one-second GC rounds without change.
 * The app gives pages back in steps about 5 s apart, so a shorter wait can
 * stop between two steps.
 */
const SETTLE_STEADY_ROUNDS = 8;
const SETTLE_MAX_ROUNDS = 40;

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '500' },
    therapists: { type: 'string', default: '50' },
    'spread-ms': { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '32' },
    'round-ms': { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '2' },
    'warmup-ms': { type: 'string', default: '2000' },
    'cpu-prof': { type: 'boolean', default: false },
    'heap-snapshot': { type: 'boolean', default: false },
    'app-node-flags': { type: 'string', default: '' },
    instances: { type: 'string', default: '1' },
  },
});
const positiveInt = (name: keyof typeof args): number => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const settings = {
  sessions: positiveInt('sessions'),
  therapists: positiveInt('therapists'),
  spreadMs: positiveInt('spread-ms'),
  concurrency: positiveInt('concurrency'),
  roundMs: positiveInt('round-ms'),
  rounds: positiveInt('rounds'),
  warmupMs: positiveInt('warmup-ms'),
  cpuProfile: args['cpu-prof'] === true,
  heapSnapshot: args['heap-snapshot'] === true,
  appNodeFlags: (args['app-node-flags'] ?? '').split(/\s+/).filter((flag) => flag !== ''),
  instances: positiveInt('instances'),
};
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function connectRedis() {
  const redis = createClient({ url: redisUrl, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`Redis does not answer at ${redisUrl} (run scripts/ensure-redis.sh)`);
  }
  return redis;
}

/** The real path and the ceiling must sign exactly the same talk-only grant, or the ratio means nothing. */
async function checkSameGrants(realToken: string, ceiling: HttpTarget, body: Buffer): Promise<void> {
  const verifier = new TokenVerifier(BENCH_LIVEKIT_KEYS.apiKey, BENCH_LIVEKIT_KEYS.apiSecret);
  const response = await ceiling.post(HTTP_ROUTES.joinToken.path, body);
  const ceilingToken = (JSON.parse(response.body.toString('utf8')) as { token: string }).token;
  const [real, bare] = await Promise.all([verifier.verify(realToken), verifier.verify(ceilingToken)]);
  const expected = (room: string | undefined) => ({ ...talkOnlyGrant(room ?? '') });
  if (!isDeepStrictEqual(real.video, expected(real.video?.room)) || !isDeepStrictEqual(bare.video, expected(bare.video?.room))) {
    throw new Error('the real path and the ceiling do not sign the same talk-only grant');
  }
  if (real.exp! - real.nbf! !== bare.exp! - bare.nbf!) throw new Error('the real path and the ceiling sign different TTLs');
}

/**
 * A fresh Node process hands memory back to the OS only seconds after it is
 * freed (V8 releases pooled pages with a delay): in its first ten seconds the
 * app's RSS falls by up to 50 MiB. Memory is read only once it has settled,
 * the same way before and after the surge, so the difference is what the
 * connected clients hold.
 */
interface SettledMemory {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

async function settledMemory(app: BenchStack['app']): Promise<SettledMemory> {
  const toleranceBytes = 512 * 1024;
  let previous = Number.NaN;
  let steady = 0;
  let heapUsedBytes = 0;
  let heapTotalBytes = 0;
  let externalBytes = 0;
  for (let round = 0; round < SETTLE_MAX_ROUNDS && steady < SETTLE_STEADY_ROUNDS; round += 1) {
    ({ heapUsedBytes, heapTotalBytes, externalBytes } = await app.sample({ collectGarbage: true }));
    await sleep(1000);
    const rss = readRssBytes(app.pid);
    if (process.env.BENCH_DEBUG_SETTLE) progress(`settle round ${round}: RSS ${(rss / 1024 / 1024).toFixed(1)} MiB, heap ${(heapUsedBytes / 1024 / 1024).toFixed(1)} MiB`);
    steady = Math.abs(rss - previous) < toleranceBytes ? steady + 1 : 0;
    previous = rss;
  }
  return { rssBytes: previous, heapUsedBytes, heapTotalBytes, externalBytes };
}

/** Every instance settled, summed: the memory the connected clients hold across the instances. */
async function settledMemoryOf(apps: readonly BenchStack['app'][]): Promise<SettledMemory> {
  const each = await Promise.all(apps.map((a) => settledMemory(a)));
  const sum = (field: keyof SettledMemory) => each.reduce((total, m) => total + m[field], 0);
  return { rssBytes: sum('rssBytes'), heapUsedBytes: sum('heapUsedBytes'), heapTotalBytes: sum('heapTotalBytes'), externalBytes: sum('externalBytes') };
}

/** Redis's calls per command name (`INFO commandstats`), for what one arrival costs Redis. */
async function readCommandStats(redis: Awaited<ReturnType<typeof connectRedis>>): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gmu)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

/** The whole Redis instance's commands over the surge per arriving client, by name, most first. */
function commandsPerClient(before: Map<string, number>, after: Map<string, number>, clients: number): Record<string, number> {
  const rows = [...after].map(([name, calls]) => [name, (calls - (before.get(name) ?? 0)) / clients] as const).filter(([, perClient]) => perClient > 0.005);
  return Object.fromEntries(rows.sort((a, b) => b[1] - a[1]).map(([name, perClient]) => [name, Math.round(perClient * 100) / 100]));
}

async function closeSockets(sockets: readonly TypedClientSocket[]): Promise<void> {
  for (const socket of sockets) socket.close();
  // Let the close frames go out before the server stops.
  await sleep(200);
}

async function main(): Promise<number> {
  const loadAverageAtStart = loadavg()[0]!;
  const workDir = mkdtempSync(join(tmpdir(), 'alcove-bench-'));
  const probe = await connectRedis();
  let stack: BenchStack | undefined;
  const sockets: TypedClientSocket[] = [];
  try {
    progress(`starting LiveKit, the app and the ceiling (logs in ${workDir})`);
    stack = await startBenchStack({ redisUrl, workDir, cpuProfile: settings.cpuProfile, appNodeFlags: settings.appNodeFlags, instances: settings.instances });
    const { ceiling, floor } = stack;
    const redisPid = Number(/^process_id:(\d+)/mu.exec(await probe.info('server'))?.[1] ?? 0);
    const benchProcesses = () => ({ driver: process.pid, ...stack!.processes(), ...(redisPid > 0 ? { redis: redisPid } : {}) });
    progress(`seeding ${settings.therapists} therapists and ${settings.sessions + WARMUP_SESSIONS} couple sessions`);
    const seeding = createHttpTarget(stack.app.origin, 16);
    const therapists = await seedTherapists({ redisUrl, redisPrefix: stack.redisPrefix, http: seeding, count: settings.therapists });
    const allSessions = await seedCoupleSessions(seeding, therapists, settings.sessions + WARMUP_SESSIONS);
    seeding.close();
    const warmupSessions = allSessions.slice(0, WARMUP_SESSIONS);
    const surgeSessions = allSessions.slice(WARMUP_SESSIONS);

    progress('restarting the app, so the process measured has not hashed passwords (32 MiB per sign-in)');
    const apps = await stack.restartApps();
    const app = apps[0]!;
    const origins = apps.map((a) => a.origin);
    const rssOfApps = () => apps.reduce((sum, a) => sum + readRssBytes(a.pid), 0);
    const rssMiB = () => (rssOfApps() / 1024 / 1024).toFixed(1);
    progress(`app RSS after start ${rssMiB()} MiB (${apps.length} instance${apps.length > 1 ? 's' : ''})`);

    // Consoles are dealt to the instances too: presence crosses between them through the Redis streams adapter.
    const consoles = new Map<string, TypedClientSocket>();
    await forEachLimited(therapists, 8, async (therapist) => {
      const socket = await connectFrom(origins[therapist.index % origins.length]!, therapist.address, { cookie: therapist.cookie });
      sockets.push(socket);
      consoles.set(therapist.therapistId, socket);
    });

    progress(`warm-up: ${WARMUP_SESSIONS * 2} clients through check-in, admission and token`);
    const warmup = await runSurge({
      origins,
      addressBlock: ADDRESS_BLOCK.warmupClients,
      consoles,
      sessions: warmupSessions,
      spreadMs: 1000,
      seed: 7,
      deadlineMs: 30_000,
    });
    if (warmup.completed !== warmup.clients) throw new Error(`warm-up failed: ${JSON.stringify(warmup.failures)}`);
    await closeSockets(warmup.sockets);
    await sleep(SETTLE_MS);

    progress('letting the app settle (full GCs until its RSS holds still)');
    const baseline = await settledMemoryOf(apps);
    const snapshots: string[] = [];
    if (settings.heapSnapshot) snapshots.push(await app.heapSnapshot(join(workDir, 'before-surge.heapsnapshot')));
    progress(`app RSS settled at ${rssMiB()} MiB`);
    await Promise.all(apps.map((a) => a.sample({ resetLoopDelay: true })));

    const clients = surgeSessions.length * 2;
    progress(`surge: ${clients} clients arriving over ${settings.spreadMs / 1000} s`);
    // CLOCK_MONOTONIC, the clock of V8's profiles: bench/summarise-profile.ts --window reads just the surge.
    const surgeFromUs = process.hrtime.bigint() / 1000n;
    const driverLoop = monitorEventLoopDelay({ resolution: 10 });
    driverLoop.enable();
    const surgeCpu = apps.map((a) => createCpuMeter(a.pid));
    const redisBefore = await readCommandStats(probe);
    const surgeMachine = createMachineMeter(benchProcesses());
    const tcpBefore = readTcpCounters();
    const portOf = (url: string) => Number(new URL(url).port);
    const listenQueues = sampleListenQueues({
      ...Object.fromEntries(apps.map((a, index) => [index === 0 ? 'app' : `app${index + 1}`, portOf(a.origin)])),
      livekit: portOf(stack.livekitUrl),
      redis: portOf(redisUrl) || 6379,
    });
    const surge: SurgeResult = await runSurge({
      origins,
      addressBlock: ADDRESS_BLOCK.surgeClients,
      consoles,
      sessions: surgeSessions,
      spreadMs: settings.spreadMs,
      seed: 20_250_101,
      deadlineMs: settings.spreadMs + 60_000,
    });
    const surgeToUs = process.hrtime.bigint() / 1000n;
    const surgeCpuReadings = surgeCpu.map((meter) => meter.stop());
    const surgeCores = surgeCpuReadings.reduce((sum, reading) => sum + reading.cores, 0);
    const surgeCpuMs = surgeCpuReadings.reduce((sum, reading) => sum + reading.cpuMs, 0);
    const redisAfter = await readCommandStats(probe);
    const surgeShare = surgeMachine.stop();
    const tcpAfter = readTcpCounters();
    const surgeListenQueues = await listenQueues.stop();
    driverLoop.disable();
    sockets.push(...surge.sockets);
    const surgeLoops = await Promise.all(apps.map((a) => a.sample({ resetLoopDelay: true })));

    const loaded = await settledMemoryOf(apps);
    const peakRssBytes = apps.reduce((sum, a) => sum + readPeakRssBytes(a.pid), 0);
    const connectedClients = surge.sockets.filter((s) => s.connected).length;
    if (settings.heapSnapshot) {
      snapshots.push(await app.heapSnapshot(join(workDir, 'after-surge.heapsnapshot')));
      // The surge deals its clients to the instances in turn; the snapshots are of the first.
      progress(`heap snapshots: npx tsx bench/summarise-heap.ts ${snapshots.join(' ')} --per ${Math.round(connectedClients / apps.length)}`);
    }

    const bodies = surge.admitted.map((c) => Buffer.from(JSON.stringify({ invite: c.secret, deviceId: c.deviceId })));
    if (surge.sampleToken && bodies[0]) {
      for (const bare of [ceiling, floor]) {
        const probeBare = createHttpTarget(bare.origin, 1);
        await checkSameGrants(surge.sampleToken, probeBare, bodies[0]).finally(() => probeBare.close());
      }
    }

    progress(`tokens per second: ${settings.rounds} rounds × ${settings.roundMs / 1000} s per target at concurrency ${settings.concurrency}`);
    const throughputMachine = createMachineMeter(benchProcesses());
    const throughput = await measureTokenThroughput({
      real: app,
      ceiling,
      floor,
      bodies,
      redis: probe,
      concurrency: settings.concurrency,
      warmupMs: settings.warmupMs,
      roundMs: settings.roundMs,
      rounds: settings.rounds,
      maxRequestsPerRound: 1_000_000,
    });
    const throughputShare = throughputMachine.stop();

    const memory: MemoryFigures = {
      baselineRssBytes: baseline.rssBytes,
      loadedRssBytes: loaded.rssBytes,
      peakRssBytes,
      baselineHeapBytes: baseline.heapUsedBytes,
      loadedHeapBytes: loaded.heapUsedBytes,
      baselineHeapCommittedBytes: baseline.heapTotalBytes,
      loadedHeapCommittedBytes: loaded.heapTotalBytes,
      baselineExternalBytes: baseline.externalBytes,
      loadedExternalBytes: loaded.externalBytes,
      connectedClients,
    };

    const { text, json } = renderReport({
      setup: {
        instances: apps.length,
        therapists: settings.therapists,
        sessions: surgeSessions.length,
        clients,
        spreadMs: settings.spreadMs,
        concurrency: settings.concurrency,
        rounds: settings.rounds,
        roundMs: settings.roundMs,
        workDir,
      },
      throughput,
      surge,
      surgeServer: {
        cores: surgeCores,
        cpuMsPerClient: surgeCpuMs / clients,
        redisCommandsPerClient: commandsPerClient(redisBefore, redisAfter, clients),
        // The worst instance's figures.
        loopDelayP99Ms: Math.max(...surgeLoops.map((l) => l.loopDelayP99Ms)),
        loopDelayMaxMs: Math.max(...surgeLoops.map((l) => l.loopDelayMaxMs)),
        driverLoopDelayP99Ms: driverLoop.percentile(99) / 1e6,
        synRetransmits: tcpAfter.synRetransmits - tcpBefore.synRetransmits,
        listenOverflows: tcpAfter.listenOverflows - tcpBefore.listenOverflows,
        listenQueues: surgeListenQueues,
      },
      memory,
      machine: { surge: surgeShare, throughput: throughputShare, loadAverageAtStart },
    });
    process.stdout.write(text + '\n');
    if (settings.cpuProfile) {
      process.stdout.write(`   profile window of the surge: npx tsx bench/summarise-profile.ts <${join(workDir, 'profiles', 'app')}/*.cpuprofile> --window ${surgeFromUs}-${surgeToUs} --per ${clients}\n\n`);
    }
    process.stdout.write(JSON.stringify(json) + '\n');
    const failed = surge.completed !== surge.clients || throughput.real.failures > 0 || throughput.ceiling.failures > 0 || throughput.floor.failures > 0;
    if (failed) progress('some requests failed: the figures above are not a valid run');
    return failed ? 1 : 0;
  } finally {
    progress('stopping');
    await closeSockets(sockets);
    await stack?.stop();
    if (stack) await eraseBenchKeys(redisUrl, stack.redisPrefix).catch(() => undefined);
    await probe.close().catch(() => undefined);
  }
}

runWithWatchdog(main, WATCHDOG_MS, progress);
