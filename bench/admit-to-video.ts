/**
 * Admit → first video frame, measured in real Chromium against the real stack
 * (LiveKit, Redis, the server, the built client): the time from the therapist's
 * Admit click to the client's first decoded remote video frame, interleaved run
 * by run with the floor — a bare livekit-client page with E2EE (key set before
 * connect, token in hand) against the same LiveKit in the same browser — and
 * printed side by side with stall counts, ratios and CPU shares, then where each
 * side's time goes (the admitted fact, token, key, signalling socket opened and
 * answered, first packet: `join-phases.ts`), plus the gzip size of the client
 * bundle. Not a test: it prints figures, asserts nothing.
 *
 *   npx tsx bench/admit-to-video.ts [--runs 30] [--with late-key,plain,no-dynacast,no-simulcast,adaptive] [--trace]
 *
 * `--with` adds bare variants: `late-key` (room and worker, connect, then the key:
 * the order the E2EE first-frame stall was reported in), `plain` (no E2EE), and the
 * floor against a publisher without dynacast (`no-dynacast`) or without simulcast
 * (`no-simulcast`), and the floor subscribing with adaptive stream as Alcove's call
 * does (`adaptive`: LiveKit starts it at the low layer). `--trace` records livekit-client's E2EE log lines in the bare
 * pages (debug level, which slows them: not for figures) and prints them under a stall.
 * All pages run in one browser on this machine, so every timestamp comes from the
 * same clock. Each measured page polls its own WebRTC stats every 10 ms.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLIENT_DIST, startE2eStack, type E2eStack } from '../test/support/browser-stack.ts';
import { newPerson, type Person } from '../test/support/browser.ts';
import { livekitStack } from '../test/support/livekit-stack.ts';
import {
  clientChecksIn,
  clientReadsNotice,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  waitForPresence,
} from '../test/support/browser-journeys.ts';
import { buildBarePage } from './bare-livekit-page/build-bare-page.ts';
import { createBareJoinRuns } from './bare-livekit-page/bare-join-run.ts';
import { serveBarePage } from './bare-livekit-page/serve-bare-page.ts';
import type { JoinOrder, PublisherSetup, SubscriberSetup } from './bare-livekit-page/page-entry.ts';
import { watchFirstFrame } from './first-frame-timeline.ts';
import { renderJoinPhases, watchJoinPhases, type JoinPhaseMarks } from './join-phases.ts';
import { renderFirstFrameReport, renderRun, type FirstFrameSample, type VariantResult } from './first-frame-report.ts';
import { createMachineMeter, findChildPid } from './process-metrics.ts';

const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const RUNS = Number(argument('--runs') ?? 30);
/** The bare pages: the floor, and what `--with` may add. */
const BARE_VARIANTS = {
  'key-first': { order: 'key-first', setup: 'alcove', label: 'bare E2EE' },
  'late-key': { order: 'late-key', setup: 'alcove', label: 'bare late key' },
  plain: { order: 'plain', setup: 'alcove', label: 'bare no E2EE' },
  'no-dynacast': { order: 'key-first', setup: 'no-dynacast', label: 'bare no dynac.' },
  'no-simulcast': { order: 'key-first', setup: 'no-simulcast', label: 'bare no simulc' },
  adaptive: { order: 'key-first', setup: 'alcove', subscriber: 'adaptive', label: 'bare adaptive' },
} as const satisfies Record<string, { order: JoinOrder; setup: PublisherSetup; subscriber?: SubscriberSetup; label: string }>;
type BareVariantName = keyof typeof BARE_VARIANTS;
const EXTRA_VARIANTS = (argument('--with') ?? '').split(',').filter(Boolean) as BareVariantName[];
for (const name of EXTRA_VARIANTS) {
  if (!(name in BARE_VARIANTS) || name === 'key-first') throw new Error(`--with takes ${Object.keys(BARE_VARIANTS).slice(1).join(', ')}; not ${name}`);
}
const FLOOR_LABEL = BARE_VARIANTS['key-first'].label;

/** One Alcove run: a fresh session, the therapist in the call, a client checked in and waiting; time zero is the Admit click. */
async function alcoveRun(stack: E2eStack, therapist: Person, run: number): Promise<FirstFrameSample & { marks: JoinPhaseMarks }> {
  const [joinUrl] = await therapistCreatesSession(therapist.page, 'individual');
  await therapistJoinsCall(therapist.page, { camera: true });
  const client = await newPerson(stack.browser, { origin: stack.t.origin });
  const marks = watchJoinPhases(client.page);
  try {
    await clientReadsNotice(client.page, joinUrl!);
    await clientChecksIn(client.page, `Client ${run}`, { camera: true });
    await waitForPresence(therapist.page, 'waiting');

    const firstFrame = watchFirstFrame(client.page);
    const admit = therapist.page.getByRole('button', { name: /^Admit Client\b/u });
    await admit.waitFor();
    const startedAt = await admit.evaluate((button) => {
      const at = Date.now();
      (button as unknown as { click(): void }).click();
      return at;
    });
    const timeline = await firstFrame;

    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await client.page.getByRole('heading', { name: 'The session has ended' }).waitFor();
    return { startedAt, timeline, marks };
  } finally {
    await client.close();
  }
}

function bundleSizes(): { file: string; bytes: number; gzipBytes: number }[] {
  const assets = join(CLIENT_DIST, 'assets');
  const files = ['index.html', ...readdirSync(assets).map((f) => `assets/${f}`)];
  return files.map((file) => {
    const content = readFileSync(join(CLIENT_DIST, file));
    return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
}

async function main(): Promise<void> {
  const pageDir = await buildBarePage();
  const barePage = await serveBarePage(pageDir);
  const stack = await startE2eStack();
  const livekit = await livekitStack();
  const therapist = await newPerson(stack.browser, { origin: stack.t.origin });
  const bareRun = createBareJoinRuns({ browser: stack.browser, livekit, pageOrigin: barePage.origin, trace: process.argv.includes('--trace') });
  const browserPid = findChildPid(process.pid, /chrom/u);
  if (browserPid === null) throw new Error('could not find the browser process');
  const alcove: VariantResult = { label: 'Alcove', samples: [], failures: 0 };
  const phases: Parameters<typeof renderJoinPhases>[2] = [];
  const floorPhases: Parameters<typeof renderJoinPhases>[2] = [];
  const bare = (['key-first', ...EXTRA_VARIANTS] as BareVariantName[]).map((name) => ({ variant: BARE_VARIANTS[name], result: { label: BARE_VARIANTS[name].label, samples: [], failures: 0 } as VariantResult }));
  const loadAverageAtStart = loadavg()[0]!;
  let machine;
  try {
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    // The Node process is the bench driver and the Alcove server (in-process); the browser counts with all its processes.
    const meter = createMachineMeter({ browser: { treeOf: browserPid }, livekit: livekit.pid, 'node (server + driver)': process.pid });
    for (let run = 1; run <= RUNS; run += 1) {
      const sample = await alcoveRun(stack, therapist, run);
      alcove.samples.push(sample);
      phases.push({ startedAt: sample.startedAt, marks: sample.marks, firstPacketAt: sample.timeline.firstPacketAt, firstFrameAt: sample.timeline.firstFrameAt });
      console.log(renderRun(alcove.label, run, sample));
      for (const { variant, result } of bare) {
        try {
          const bareSample = await bareRun(variant.order, variant.setup, 'subscriber' in variant ? variant.subscriber : 'default');
          result.samples.push(bareSample);
          if (variant === BARE_VARIANTS['key-first']) floorPhases.push({ startedAt: bareSample.startedAt, marks: bareSample.marks, firstPacketAt: bareSample.timeline.firstPacketAt, firstFrameAt: bareSample.timeline.firstFrameAt });
          console.log(renderRun(result.label, run, bareSample));
        } catch (error) {
          result.failures += 1;
          console.log(`run ${run} ${result.label}: failed (${(error as Error).message.split('\n', 1)[0]})`);
        }
      }
    }
    machine = meter.stop();
  } finally {
    await therapist.close();
    await stack.close();
    await livekit.stop();
    await barePage.close();
    rmSync(pageDir, { recursive: true, force: true });
  }

  const report = renderFirstFrameReport({ variants: [alcove, ...bare.map((b) => b.result)], floorLabel: FLOOR_LABEL, machine, loadAverageAtStart });
  console.log(report.text);
  // Where each side's time goes: livekit-client makes its peer connections and first offer before its socket opens.
  console.log(renderJoinPhases('Alcove', 'the Admit click', phases));
  console.log(renderJoinPhases(FLOOR_LABEL, 'it starts connecting', floorPhases));
  console.log('');
  console.log(JSON.stringify(report.json));

  const sizes = bundleSizes();
  const sum = (match: (file: string) => boolean) => sizes.filter((s) => match(s.file)).reduce((a, s) => a + s.gzipBytes, 0);
  console.log('\nclient bundle (gzip -9):');
  for (const s of sizes) console.log(`  ${s.file.padEnd(40)} ${String(s.bytes).padStart(8)} B  gzip ${String(s.gzipBytes).padStart(7)} B`);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const isCall = (f: string) => f.includes('call-room') || f.includes('e2ee.worker');
  const isShell = (f: string) => f === 'index.html' || /assets\/(index|call-controller)-/u.test(f);
  console.log(`  everything                                         gzip ${kb(sum(() => true))}`);
  console.log(`  /join until admitted (shell + join-app)            gzip ${kb(sum((f) => isShell(f) || f.includes('join-app')))}`);
  console.log(`  /console (shell + console-app)                     gzip ${kb(sum((f) => isShell(f) || f.includes('console-app')))}`);
  console.log(`  the call, loaded lazily (livekit-client + worker)  gzip ${kb(sum(isCall))}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
