/**
 * Watches a page from outside the app: an init script keeps a reference to
 * every RTCPeerConnection the page creates, and records CSP violations,
 * desktop notifications and generated sounds, so tests read real inbound-rtp counters
 * (framesDecoded, packetsReceived) without any test hook in the app itself.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface InboundTotals {
  /** framesDecoded per inbound video track (by trackIdentifier). */
  videoFrames: Record<string, number>;
  /** packetsReceived per inbound audio track. */
  audioPackets: Record<string, number>;
}

/**
 * Plain JavaScript on purpose: functions compiled by tsx gain `__name` helper
 * calls that do not exist in the page. Exported for Firefox (firefox.ts), which
 * installs the same script.
 */
export const PAGE_PROBE_SCRIPT = `(() => {
  const g = globalThis;
  g.__alcovePeerConnections = [];
  g.__alcoveMediaSockets = [];
  g.__alcoveCspViolations = [];
  g.__alcoveNotifications = [];
  const NativePeerConnection = g.RTCPeerConnection;
  if (NativePeerConnection) {
    const Wrapped = function (...args) {
      const pc = new NativePeerConnection(...args);
      g.__alcovePeerConnections.push(pc);
      return pc;
    };
    Wrapped.prototype = NativePeerConnection.prototype;
    Object.setPrototypeOf(Wrapped, NativePeerConnection);
    g.RTCPeerConnection = Wrapped;
  }
  // LiveKit's signalling connections (/rtc), so a test can tell when a page has really left the call.
  if (g.WebSocket) {
    g.WebSocket = new Proxy(g.WebSocket, {
      construct(target, args) {
        const ws = Reflect.construct(target, args);
        if (String(args[0]).includes('/rtc')) g.__alcoveMediaSockets.push(ws);
        return ws;
      },
    });
  }
  const NativeNotification = g.Notification;
  if (NativeNotification) {
    const Recorded = function (title, options) {
      g.__alcoveNotifications.push(String(title));
      return new NativeNotification(title, options);
    };
    Object.defineProperty(Recorded, 'permission', { get: () => NativeNotification.permission });
    Recorded.requestPermission = (...args) => NativeNotification.requestPermission(...args);
    Recorded.prototype = NativeNotification.prototype;
    g.Notification = Recorded;
  }
  g.__alcoveSoundsPlayed = 0;
  const nativePlay = g.HTMLMediaElement.prototype.play;
  g.HTMLMediaElement.prototype.play = function (...args) {
    // Generated sounds are blob: URLs; call audio and video use srcObject.
    if (typeof this.src === 'string' && this.src.startsWith('blob:')) g.__alcoveSoundsPlayed += 1;
    return nativePlay.apply(this, args);
  };
  g.addEventListener('securitypolicyviolation', (event) => {
    g.__alcoveCspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
})();`;

/**
 * Runs in the page (Chromium or Firefox): whether the page holds no media connection at all — every
 * peer connection closed and every LiveKit signalling socket closed (not only closing).
 */
export const mediaConnectionsClosed = (): boolean => {
  const g = globalThis as any;
  return (g.__alcovePeerConnections as any[]).every((pc) => pc.connectionState === 'closed') && (g.__alcoveMediaSockets as any[]).every((ws) => ws.readyState === 3);
};

export async function installPageProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: PAGE_PROBE_SCRIPT });
}

/** Runs in the page (Chromium or Firefox): sums inbound counters over the page's open peer connections. */
export const readInboundTotals = async (): Promise<InboundTotals> => {
  const g = globalThis as any;
  const totals = { videoFrames: {} as Record<string, number>, audioPackets: {} as Record<string, number> };
  for (const pc of g.__alcovePeerConnections as any[]) {
    if (pc.connectionState === 'closed') continue;
    const stats = await pc.getStats();
    stats.forEach((report: any) => {
      if (report.type !== 'inbound-rtp') return;
      const id = String(report.trackIdentifier ?? report.id);
      if (report.kind === 'video') totals.videoFrames[id] = (totals.videoFrames[id] ?? 0) + (report.framesDecoded ?? 0);
      if (report.kind === 'audio') totals.audioPackets[id] = (totals.audioPackets[id] ?? 0) + (report.packetsReceived ?? 0);
    });
  }
  return totals;
};

export function inboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(readInboundTotals);
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

export interface FlowCheck {
  rising: { video: number; audio: number };
}

/**
 * Resolves once at least `videoTracks` remote video tracks have decoded frames
 * rising and at least `audioTracks` remote audio tracks have packets rising.
 */
export function waitForRisingMedia(page: Page, expect: { videoTracks: number; audioTracks: number }, timeoutMs = 20_000): Promise<FlowCheck> {
  return waitForRisingTotals(() => inboundTotals(page), expect, timeoutMs);
}

/** The same wait over any reader of inbound totals (a Chromium or a Firefox page). */
export async function waitForRisingTotals(read: () => Promise<InboundTotals>, expect: { videoTracks: number; audioTracks: number }, timeoutMs = 20_000): Promise<FlowCheck> {
  const deadline = Date.now() + timeoutMs;
  let before = await read();
  let last = { video: 0, audio: 0 };
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 700));
    const after = await read();
    const video = Object.keys(after.videoFrames).filter((id) => after.videoFrames[id]! > (before.videoFrames[id] ?? 0) && after.videoFrames[id]! > 0).length;
    const audio = Object.keys(after.audioPackets).filter((id) => after.audioPackets[id]! > (before.audioPackets[id] ?? 0) && after.audioPackets[id]! > 0).length;
    last = { video, audio };
    if (video >= expect.videoTracks && audio >= expect.audioTracks) return { rising: last };
    before = after;
  }
  throw new Error(`media did not flow: wanted ${expect.videoTracks} video / ${expect.audioTracks} audio tracks rising, saw ${last.video} / ${last.audio}`);
}

/** Totals of all inbound video frames and audio packets now. */
export async function inboundSums(page: Page): Promise<{ videoFrames: number; audioPackets: number }> {
  const totals = await inboundTotals(page);
  return { videoFrames: sum(totals.videoFrames), audioPackets: sum(totals.audioPackets) };
}

/** Polls in the page and resolves with the wall-clock time (ms) of the first decoded remote video frame. */
export async function firstDecodedFrameAt(page: Page, timeoutMs = 20_000): Promise<number> {
  return page.evaluate(async (timeout) => {
    const g = globalThis as any;
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      for (const pc of g.__alcovePeerConnections as any[]) {
        if (pc.connectionState === 'closed') continue;
        const stats = await pc.getStats();
        let found = false;
        stats.forEach((r: any) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded ?? 0) > 0) found = true;
        });
        if (found) return Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no decoded remote video frame');
  }, timeoutMs);
}

/** In the page: titles of the desktop notifications the page has shown. */
export const readNotifications = () => ((globalThis as any).__alcoveNotifications ?? []) as string[];

/** In the page: how many generated sounds (chimes, test sounds) the page has started playing. */
export const readSoundsPlayed = () => Number((globalThis as any).__alcoveSoundsPlayed ?? 0);

export function notificationsShown(page: Page): Promise<string[]> {
  return page.evaluate(readNotifications);
}

export function soundsPlayed(page: Page): Promise<number> {
  return page.evaluate(readSoundsPlayed);
}
