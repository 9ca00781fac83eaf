/**
 * Where an Alcove admission spends its time before the first frame, read from outside the app:
 * the client page's WebSocket frames as Playwright sees them (the admitted fact, the token's ack,
 * the sealed media key), the moment the page opens LiveKit's signalling socket and its first answer. Timestamps are
 * this process's clock when Playwright reports the event (a few ms after the page saw it), on the
 * same machine as the page's own clock that times the Admit click.
 */
import type { Page } from 'playwright-core';
import { FACTS } from '@alcove/shared';
import { summarise } from './latency-stats.ts';

export const JOIN_PHASES = ['admitted fact', 'token', 'media key', 'signalling opened', 'join response'] as const;
export type JoinPhase = (typeof JOIN_PHASES)[number];
/** Every time each was seen (the pre-call connection check opens a signalling socket of its own, earlier). */
export type JoinPhaseMarks = Record<JoinPhase, number[]>;

/** A Socket.io ack (`43<id>[…]`) that carries a media token. */
const TOKEN_ACK = /^43\d*\[\{"ok":true,"data":\{[^}]*"token":"/u;

/** Starts recording on a page before it opens any socket; the marks fill in as the events come. */
export function watchJoinPhases(page: Page): JoinPhaseMarks {
  const marks = Object.fromEntries(JOIN_PHASES.map((phase) => [phase, []])) as unknown as JoinPhaseMarks;
  page.on('websocket', (ws) => {
    // LiveKit's signalling: /rtc, /rtc/v1; its first frame is the join response.
    if (/\/rtc(\/|$)/u.test(new URL(ws.url()).pathname)) {
      marks['signalling opened'].push(Date.now());
      ws.once('framereceived', () => marks['join response'].push(Date.now()));
      return;
    }
    if (!ws.url().includes('/socket.io/')) return;
    ws.on('framereceived', ({ payload }) => {
      const at = Date.now();
      const text = String(payload);
      if (text.includes(`"${FACTS.admitted}"`)) marks['admitted fact'].push(at);
      else if (text.includes(`"${FACTS.keySent}"`)) marks['media key'].push(at);
      else if (TOKEN_ACK.test(text)) marks.token.push(at);
    });
  });
  return marks;
}

/** Median and p90 of each phase's first time after time zero, in ms, over the runs that saw it. */
export function renderJoinPhases(label: string, zero: string, runs: { startedAt: number; marks: JoinPhaseMarks; firstPacketAt: number; firstFrameAt: number }[]): string {
  const rows: [string, number[]][] = [
    ...JOIN_PHASES.map((phase): [string, number[]] => [phase, runs.flatMap((r) => {
      const first = r.marks[phase].find((at) => at >= r.startedAt);
      return first === undefined ? [] : [first - r.startedAt];
    })]),
    ['first video packet', runs.map((r) => r.firstPacketAt - r.startedAt)],
    ['first decoded frame', runs.map((r) => r.firstFrameAt - r.startedAt)],
  ];
  return [
    `${label}, ms after ${zero} (as Playwright saw the page's sockets), ${runs.length} runs:`,
    ...rows.map(([name, samples]) => {
      const s = summarise(samples);
      return s.count === 0 ? `   ${name.padEnd(20)} —` : `   ${name.padEnd(20)} median ${String(Math.round(s.p50Ms)).padStart(5)}   p90 ${String(Math.round(s.p90Ms)).padStart(5)}   (${s.count} runs)`;
    }),
  ].join('\n');
}
