/**
 * What happened on a page between its time zero and its first decoded remote video frame, read
 * from outside the app: its inbound-rtp video stats (the page probe keeps every
 * RTCPeerConnection), polled every 10 ms — when the first video RTP packet arrived, when the
 * first frame was decoded, and how many keyframe requests (PLI, FIR) the receiver sent before it.
 */
import type { Page } from 'playwright-core';

export interface FirstFrameTimeline {
  /** Wall clock (ms) at the first poll that saw an inbound video packet. */
  firstPacketAt: number;
  /** Wall clock (ms) at the first poll that saw a decoded inbound video frame. */
  firstFrameAt: number;
  /** Keyframe requests the receiver had sent when the first frame was decoded. */
  pliCount: number;
  firCount: number;
  nackCount: number;
  keyFramesDecoded: number;
  packetsReceived: number;
  packetsLost: number;
  /** Complete frames assembled from packets (before the decoder), and frames dropped before decoding. */
  framesReceived: number;
  framesDropped: number;
  /** Each poll that saw the PLI count rise before the first frame: when, and the counters then. */
  pliAt: { at: number; framesReceived: number; packets: number; lost: number; nack: number }[];
}

/** Resolves at the first decoded remote video frame (or throws after `timeoutMs`). Start it before time zero. */
export function watchFirstFrame(page: Page, timeoutMs = 20_000): Promise<FirstFrameTimeline> {
  return page.evaluate(async (timeout) => {
    const g = globalThis as any;
    const deadline = Date.now() + timeout;
    let firstPacketAt = 0;
    let lastPli = 0;
    const pliAt: FirstFrameTimeline['pliAt'] = [];
    while (Date.now() < deadline) {
      const totals = { packets: 0, frames: 0, pli: 0, fir: 0, nack: 0, keyFrames: 0, lost: 0, received: 0, dropped: 0 };
      for (const pc of g.__alcovePeerConnections as any[]) {
        if (pc.connectionState === 'closed') continue;
        const stats = await pc.getStats();
        stats.forEach((r: any) => {
          if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
          totals.packets += r.packetsReceived ?? 0;
          totals.frames += r.framesDecoded ?? 0;
          totals.pli += r.pliCount ?? 0;
          totals.fir += r.firCount ?? 0;
          totals.nack += r.nackCount ?? 0;
          totals.keyFrames += r.keyFramesDecoded ?? 0;
          totals.lost += r.packetsLost ?? 0;
          totals.received += r.framesReceived ?? 0;
          totals.dropped += r.framesDropped ?? 0;
        });
      }
      const now = Date.now();
      if (totals.packets > 0 && firstPacketAt === 0) firstPacketAt = now;
      if (totals.pli > lastPli) {
        lastPli = totals.pli;
        pliAt.push({ at: now, framesReceived: totals.received, packets: totals.packets, lost: totals.lost, nack: totals.nack });
      }
      if (totals.frames > 0) {
        return {
          firstPacketAt: firstPacketAt || now,
          firstFrameAt: now,
          pliCount: totals.pli,
          firCount: totals.fir,
          nackCount: totals.nack,
          keyFramesDecoded: totals.keyFrames,
          packetsReceived: totals.packets,
          packetsLost: totals.lost,
          framesReceived: totals.received,
          framesDropped: totals.dropped,
          pliAt,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no decoded remote video frame');
  }, timeoutMs);
}
