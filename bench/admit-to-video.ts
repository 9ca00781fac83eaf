/**
 * Admit → first video frame, measured in real Chromium against the real stack
 * (LiveKit, Redis, the server, the built client): the time from the therapist's
 * Admit click to the client's first decoded remote video frame, over 10 runs,
 * plus the gzip size of the client bundle. Not a test: it prints figures.
 *
 *   npx tsx bench/admit-to-video.ts [--runs 10]
 *
 * Both pages run in one browser on this machine, so both timestamps come from
 * the same clock. The client's page polls its own WebRTC stats every 10 ms.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLIENT_DIST, startE2eStack } from '../test/support/browser-stack.ts';
import { newPerson } from '../test/support/browser.ts';
import { firstDecodedFrameAt } from '../test/support/browser-page-probe.ts';
import { livekitStack } from '../test/support/livekit-stack.ts';
import {
  clientChecksIn,
  clientReadsNotice,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  waitForPresence,
} from '../test/support/browser-journeys.ts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
  const stack = await startE2eStack();
  const therapist = await newPerson(stack.browser, { origin: stack.t.origin });
  const samples: number[] = [];
  try {
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    for (let run = 1; run <= RUNS; run += 1) {
      const [joinUrl] = await therapistCreatesSession(therapist.page, 'individual');
      await therapistJoinsCall(therapist.page, { camera: true });
      const client = await newPerson(stack.browser, { origin: stack.t.origin });
      await clientReadsNotice(client.page, joinUrl!);
      await clientChecksIn(client.page, `Client ${run}`, { camera: true });
      await waitForPresence(therapist.page, 'waiting');

      const firstFrame = firstDecodedFrameAt(client.page, 20_000);
      const admit = therapist.page.getByRole('button', { name: /^Admit Client\b/u });
      await admit.waitFor();
      const clickedAt = await admit.evaluate((button) => {
        const at = Date.now();
        (button as unknown as { click(): void }).click();
        return at;
      });
      const latencyMs = (await firstFrame) - clickedAt;
      samples.push(latencyMs);
      console.log(`run ${run}: ${latencyMs} ms`);

      await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
      await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
      await client.page.getByRole('heading', { name: 'The session has ended' }).waitFor();
      await client.close();
    }
  } finally {
    await therapist.close();
    await stack.close();
    await (await livekitStack()).stop();
  }

  const sorted = [...samples].sort((a, b) => a - b);
  console.log(`\nadmit → first decoded remote video frame at the client, ${samples.length} runs`);
  console.log(`  median ${median(samples)} ms · min ${sorted[0]} ms · max ${sorted.at(-1)} ms · all [${samples.join(', ')}]`);

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
