/**
 * The admit-to-video bench's output: for Alcove and each bare livekit-client page, time zero →
 * first decoded remote video frame (median, p90, min, max, runs over 1 s), the stalls, where
 * the time went (time zero → first packet → first frame), the ratios to the floor and where the
 * machine's CPU went. Figures only: nothing here passes or fails.
 */
import { cpus } from 'node:os';
import { summarise } from './latency-stats.ts';
import type { FirstFrameTimeline } from './first-frame-timeline.ts';
import type { MachineShare } from './process-metrics.ts';

/**
 * A run stalled when its receiver sent at least this many keyframe requests (PLI + FIR)
 * before its first decoded frame: a healthy start needs none, or one for a keyframe lost in flight.
 */
export const STALL_KEYFRAME_REQUESTS = 2;
/** …or when its first frame came this long after its first video packet (a healthy E2EE start: under 150 ms). */
export const STALL_PACKET_TO_FRAME_MS = 500;
/** Runs slower than this count against the goal "no run over 1 s". */
export const SLOW_RUN_MS = 1000;
/** Above this, the machine was shared with enough other work to skew the figures. */
const NOISY_OTHER_CORES = 0.25;

export interface FirstFrameSample {
  /** Time zero: the Admit click (Alcove) or the moment the bare page starts connecting. */
  startedAt: number;
  timeline: FirstFrameTimeline;
  /** What the page went through (bare pages only), wall clock: printed under a stalled run. */
  events?: { at: number; event: string }[];
}

export interface VariantResult {
  label: string;
  samples: FirstFrameSample[];
  failures: number;
}

export const latencyOf = (s: FirstFrameSample) => s.timeline.firstFrameAt - s.startedAt;
const packetToFrameOf = (s: FirstFrameSample) => s.timeline.firstFrameAt - s.timeline.firstPacketAt;
const keyframeRequestsOf = (s: FirstFrameSample) => s.timeline.pliCount + s.timeline.firCount;

export function isStall(sample: FirstFrameSample): boolean {
  return keyframeRequestsOf(sample) >= STALL_KEYFRAME_REQUESTS || packetToFrameOf(sample) > STALL_PACKET_TO_FRAME_MS;
}

/** One line per run, as it happens. */
export function renderRun(label: string, run: number, sample: FirstFrameSample): string {
  const t = sample.timeline;
  const line = `run ${String(run).padStart(2)} ${label.padEnd(14)} ${String(latencyOf(sample)).padStart(5)} ms  (first packet +${t.firstPacketAt - sample.startedAt} ms, then +${packetToFrameOf(sample)} ms; PLI ${t.pliCount}, FIR ${t.firCount}, keyframes decoded ${t.keyFramesDecoded})`;
  if (!isStall(sample)) return line;
  const story = [...(sample.events ?? []), { at: t.firstPacketAt, event: 'first video packet' }, ...t.pliAt.map((p) => ({ at: p.at, event: `PLI (frames ${p.framesReceived}, packets ${p.packets}, lost ${p.lost}, NACK ${p.nack})` }))]
    .sort((a, b) => a.at - b.at)
    .map((e) => `+${e.at - sample.startedAt} ${e.event}`)
    .concat(`at the first frame: frames received ${t.framesReceived}, dropped ${t.framesDropped}, packets ${t.packetsReceived}, lost ${t.packetsLost}, NACK ${t.nackCount}`);
  return `${line}  STALL\n        ${story.join(' · ')}`;
}

function figuresOf(variant: VariantResult) {
  const latencies = variant.samples.map(latencyOf);
  const sorted = [...latencies].sort((a, b) => a - b);
  const summary = summarise(latencies);
  return {
    runs: latencies.length,
    failures: variant.failures,
    medianMs: summary.p50Ms,
    p90Ms: summary.p90Ms,
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
    over1s: latencies.filter((ms) => ms > SLOW_RUN_MS).length,
    stalls: variant.samples.filter(isStall).length,
    toFirstPacketMedianMs: summarise(variant.samples.map((s) => s.timeline.firstPacketAt - s.startedAt)).p50Ms,
    packetToFrameMedianMs: summarise(variant.samples.map(packetToFrameOf)).p50Ms,
    keyframeRequestsMax: Math.max(0, ...variant.samples.map(keyframeRequestsOf)),
    allMs: latencies,
  };
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const shares = (m: MachineShare): string =>
  [...Object.entries(m.cores).map(([name, cores]) => `${name} ${fixed(cores, 2)}`), `others ${fixed(m.otherCores, 2)}`, `machine ${fixed(m.machineCores, 2)}`].join(', ');

export function renderFirstFrameReport(input: { variants: VariantResult[]; floorLabel: string; machine: MachineShare; loadAverageAtStart: number }): { text: string; json: Record<string, unknown> } {
  const figures = input.variants.map((v) => ({ label: v.label, ...figuresOf(v) }));
  const floor = figures.find((f) => f.label === input.floorLabel);
  const noisy = input.machine.otherCores > NOISY_OTHER_CORES;
  const row = (cells: string[], widths: number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('');
  const widths = [16, 6, 9, 8, 8, 8, 7, 8, 11, 12, 8];
  const lines = [
    '',
    `time zero → first decoded remote video frame — ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`,
    `   time zero: Alcove = the therapist's Admit click; bare = the page starts connecting, token in hand. Runs interleaved.`,
    `   stall = ≥ ${STALL_KEYFRAME_REQUESTS} keyframe requests (PLI + FIR) sent before the first decoded frame, or first frame > ${STALL_PACKET_TO_FRAME_MS} ms after the first video packet`,
    `   ${row(['', 'runs', 'median', 'p90', 'min', 'max', '>1 s', 'stalls', '→packet', 'packet→frame', 'max KFR'], widths)}`,
    ...figures.map(
      (f) =>
        `   ${row([f.label, String(f.runs), fixed(f.medianMs), fixed(f.p90Ms), fixed(f.minMs), fixed(f.maxMs), String(f.over1s), String(f.stalls), fixed(f.toFirstPacketMedianMs), fixed(f.packetToFrameMedianMs), String(f.keyframeRequestsMax)], widths)}${f.failures ? `   (${f.failures} runs without a frame)` : ''}`,
    ),
    '   (ms; →packet and packet→frame are medians; max KFR = most keyframe requests before a first frame)',
    ...figures
      .filter((f) => floor && f.label !== floor.label)
      .map((f) => `   ${f.label} / ${floor!.label}: median ${fixed(f.medianMs / floor!.medianMs, 2)}×, p90 ${fixed(f.p90Ms / floor!.p90Ms, 2)}×`),
    `   CPU share over the runs (cores): ${shares(input.machine)}; load average at start ${fixed(input.loadAverageAtStart, 2)}`,
    ...(noisy ? [`   NOISY: other processes took over ${NOISY_OTHER_CORES} of the ${cpus().length} cores while the bench measured; latencies are pessimistic`] : []),
    ...figures.map((f) => `   all ${f.label}: [${f.allMs.join(', ')}]`),
    '',
  ];
  const json = {
    bench: 'alcove-admit-to-video',
    at: new Date().toISOString(),
    cores: cpus().length,
    machine: input.machine,
    loadAverageAtStart: input.loadAverageAtStart,
    stallDefinition: { keyframeRequests: STALL_KEYFRAME_REQUESTS, packetToFrameMs: STALL_PACKET_TO_FRAME_MS },
    variants: figures,
    ratios: floor
      ? Object.fromEntries(figures.filter((f) => f.label !== floor.label).map((f) => [f.label, { median: f.medianMs / floor.medianMs, p90: f.p90Ms / floor.p90Ms }]))
      : {},
  };
  return { text: lines.join('\n'), json };
}
