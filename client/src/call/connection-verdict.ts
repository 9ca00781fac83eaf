/**
 * What the pre-call connection check concludes, from what actually happened: the ICE candidate
 * pair the browser selected (getStats), or none within the check's time bound. Pure, so it is
 * unit-tested on recorded stats (test/unit/connection-verdict.test.ts).
 */
import type { ConnectionVerdict } from '@alcove/shared';

/** How media reached the server: directly over UDP or TCP, or through LiveKit's TURN relay. */
export type MediaPath = 'udp' | 'tcp' | 'relay-udp' | 'relay-tcp' | 'relay-tls';

/** The two things of an RTCStatsReport the classification reads (a Map of recorded stats fits too). */
export interface StatsLike {
  forEach(callback: (report: Record<string, unknown>) => void): void;
  get(id: string): Record<string, unknown> | undefined;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The local side of the selected candidate pair, or null when no pair was selected (not connected). */
function selectedLocalCandidate(stats: StatsLike): Record<string, unknown> | null {
  let pairId: string | null = null;
  // Chromium and Safari name the pair on the transport; Firefox marks the pair itself as selected.
  stats.forEach((report) => {
    if (report.type === 'transport' && text(report.selectedCandidatePairId)) pairId ??= text(report.selectedCandidatePairId);
  });
  if (!pairId) {
    stats.forEach((report) => {
      if (report.type === 'candidate-pair' && report.selected === true && report.state === 'succeeded') pairId ??= text(report.id);
    });
  }
  const pair = pairId ? stats.get(pairId) : undefined;
  const localId = text(pair?.localCandidateId);
  return localId ? (stats.get(localId) ?? null) : null;
}

export function mediaPathOf(stats: StatsLike): MediaPath | null {
  const local = selectedLocalCandidate(stats);
  if (!local) return null;
  if (local.candidateType === 'relay') {
    const relay = text(local.relayProtocol);
    return relay === 'tls' ? 'relay-tls' : relay === 'tcp' ? 'relay-tcp' : 'relay-udp';
  }
  return local.protocol === 'tcp' ? 'tcp' : 'udp';
}

/** The first path any of the call's peer connections found (LiveKit may use one or two). */
export function firstPath(paths: readonly (MediaPath | null)[]): MediaPath | null {
  return paths.find((path): path is MediaPath => path !== null) ?? null;
}

/**
 * A browser that cannot encrypt cannot join, whatever the network. Direct UDP (a host or NAT
 * address) is the call's ordinary path; TCP and every relay carry the call too, with more delay
 * under loss; no path at all means the network blocks the call.
 */
export function verdictOf(input: { canEncrypt: boolean; path: MediaPath | null }): ConnectionVerdict {
  if (!input.canEncrypt) return 'no-encryption';
  if (input.path === null) return 'blocked';
  return input.path === 'udp' ? 'ready' : 'slower-path';
}
