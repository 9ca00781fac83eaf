/**
 * Reads a V8 `.cpuprofile` (from `npm run bench -- --cpu-prof`) and prints
 * where the time went: self time by function and by package, and inclusive
 * time for functions matching a filter.
 *
 *   npx tsx bench/summarise-profile.ts <file.cpuprofile> [--top 25] [--match text] [--last-s 20]
 *                                      [--window FROM-TO] [--per N]
 *
 * `--last-s` keeps only the final seconds of the profile (the token rounds run last).
 * `--window` keeps the samples between two CLOCK_MONOTONIC instants in µs, the clock V8's
 * profiles and `process.hrtime` share: `npm run bench` prints the surge's as "profile window".
 * `--per N` also prints each package's time divided by N (e.g. per arriving client).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, match: { type: 'string' }, 'last-s': { type: 'string' }, window: { type: 'string' }, per: { type: 'string' } } });
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: tsx bench/summarise-profile.ts <file.cpuprofile> [--top N] [--match text]\n');
  process.exit(64);
}
// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on('error', () => process.exit(0));
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Sample i was taken at startTime + the sum of timeDeltas up to i.
const window = values.window ? /^(\d+)-(\d+)$/u.exec(values.window) : null;
if (values.window && !window) {
  process.stderr.write('--window takes FROM-TO in monotonic µs, as the bench prints it\n');
  process.exit(64);
}
const windowStartUs = window ? Number(window[1]) : values['last-s'] ? profile.endTime - Number(values['last-s']) * 1e6 : profile.startTime;
const windowEndUs = window ? Number(window[2]) : profile.endTime;
const inWindow: boolean[] = [];
let at = profile.startTime;
profile.timeDeltas.forEach((delta, i) => {
  at += delta;
  inWindow[i] = at >= windowStartUs && at <= windowEndUs;
});
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (inWindow[i]) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const totalUs = Math.min(profile.endTime, windowEndUs) - Math.max(profile.startTime, windowStartUs);
const per = values.per ? Number(values.per) : 0;

function packageOf(url: string): string {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const repo = url.indexOf('/work/');
  return repo >= 0 ? url.slice(url.indexOf('/', repo + 6) + 1).split('/').slice(0, 3).join('/') : url;
}
const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;

const selfByFunction = new Map<string, number>();
const selfByPackage = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + us);
  const pkg = packageOf(node.callFrame.url);
  selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + us);
}

const idle = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const print = (title: string, rows: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const each = per > 0 ? `  ${(us / per).toFixed(0).padStart(6)} µs each` : '';
    process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms${each}  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${(totalUs / 1e6).toFixed(1)} s profiled, ${pct(totalUs - idle)} busy${per > 0 ? `, ${((totalUs - idle) / per).toFixed(0)} µs busy for each of ${per}` : ''}\n`);
print('self time by package', selfByPackage);
print('self time by function', selfByFunction);

if (values.match) {
  // Inclusive time: a sample counts once for every distinct matching frame on its stack.
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (!inWindow[i]) return;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)!;
      const name = label(node);
      if (!seen.has(name) && name.includes(values.match!)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
      }
    }
  });
  print(`inclusive time of functions matching "${values.match}"`, inclusive);
}
