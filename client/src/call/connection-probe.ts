/**
 * The network half of the pre-call check: join the throw-away room the server made for it,
 * publishing nothing, and read which path the peer connection took. Loaded on demand (it pulls in
 * livekit-client), like the call itself.
 */
import { ConnectionError, ConnectionErrorReason, Room } from 'livekit-client';
import { firstPath, mediaPathOf, type MediaPath } from './connection-verdict.ts';
import { canEncrypt } from './session-key-provider.ts';
import { closeTransportsOfUnansweredJoins } from './unanswered-join.ts';

export { canEncrypt };

/** The server refused the check's token (expired, wrong room): the check could not run, the network is not to blame. */
export class CheckNotRunError extends Error {
  constructor() {
    super('the connection check was refused');
    this.name = 'CheckNotRunError';
  }
}

/** Resolves to the media path, or null when there is none within `timeoutMs` (the network blocks it). */
export async function probeMediaPath(url: string, token: string, timeoutMs: number): Promise<MediaPath | null> {
  const room = new Room({ adaptiveStream: false, dynacast: false, disconnectOnPageLeave: true });
  let timer = 0;
  try {
    closeTransportsOfUnansweredJoins(room);
    const connected = room
      .connect(url, token, { autoSubscribe: false, maxRetries: 0, peerConnectionTimeout: timeoutMs, websocketTimeout: timeoutMs })
      .then(() => 'connected' as const)
      .catch((error: unknown) => {
        if (error instanceof ConnectionError && error.reason === ConnectionErrorReason.NotAllowed) return 'refused' as const;
        return 'failed' as const;
      });
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = window.setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([connected, timedOut]);
    if (outcome === 'refused') throw new CheckNotRunError();
    if (outcome !== 'connected') return null;
    // livekit-client keeps the peer connections to itself; its transports hand out their getStats().
    const transports = [room.engine.pcManager?.publisher, room.engine.pcManager?.subscriber];
    const reports = await Promise.all(transports.map((transport) => transport?.getStats() ?? Promise.resolve(undefined)));
    return firstPath(reports.map((report) => (report ? mediaPathOf(report as unknown as Parameters<typeof mediaPathOf>[0]) : null)));
  } finally {
    window.clearTimeout(timer);
    await room.disconnect().catch(() => undefined);
  }
}
