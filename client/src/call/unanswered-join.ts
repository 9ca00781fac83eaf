/**
 * A join LiveKit never answered must not leave a peer connection behind.
 *
 * livekit-client 2.23 (Chromium's offer-with-join path) makes the publisher's peer connection
 * before it sends the join, but counts its engine as closed until the join response arrives — so
 * when the join ends without one (the person left or was sent back while connecting, or the
 * signalling timed out), the engine's close() returns early and that connection stays open in
 * state "new". Seen in the rehearsal on a slow machine; reproduced in
 * test/e2e/send-back-while-connecting.test.ts.
 *
 * The transports are closed only once the join attempt has settled: closing them while its offer
 * is still being made would let livekit-client's transport make a fresh connection on next use.
 */
import type { Room } from 'livekit-client';

type Engine = Room['engine'];

const guarded = new WeakSet<Engine>();

/** Call before `room.connect()`: the engine that connect will use closes what a failed join made. */
export function closeTransportsOfUnansweredJoins(room: Room): void {
  const engine = room.engine;
  if (!engine || guarded.has(engine)) return;
  guarded.add(engine);
  const join = engine.join.bind(engine);
  engine.join = async (...args: Parameters<Engine['join']>) => {
    try {
      return await join(...args);
    } catch (error) {
      // Still "closed": no join response ever came, and nothing else will release the transports.
      if (engine.isClosed) await engine.cleanupPeerConnections().catch(() => undefined);
      throw error;
    }
  };
}
