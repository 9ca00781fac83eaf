import { FACTS } from '@alcove/shared';
import type { AlcoveServer, AlcoveSocket } from './socket-types.ts';

/**
 * Disconnects a therapist's socket within a second of its login ending by
 * idle timeout or absolute expiry. The check sleeps until the login's current
 * deadline and re-reads it, since activity elsewhere may have slid it.
 */
export function watchLoginExpiry(
  io: AlcoveServer,
  socket: AlcoveSocket,
  login: { loginId: string; absoluteExpiresAt: number; ttlMs: (loginId: string) => Promise<number> },
): void {
  let timer: NodeJS.Timeout | undefined;
  const expire = () => {
    // With connection-state recovery, emits travel through the adapter; disconnecting through
    // it too keeps the order, so the reason arrives before the disconnect.
    io.to(socket.id).emit(FACTS.loginExpired, {});
    io.in(socket.id).disconnectSockets();
  };
  const check = async () => {
    const remainingAbsolute = login.absoluteExpiresAt - Date.now();
    let remainingIdle: number;
    try {
      remainingIdle = await login.ttlMs(login.loginId);
    } catch {
      remainingIdle = 5_000; // Redis blip: look again shortly rather than log someone out.
    }
    if (!socket.connected) return;
    const remaining = Math.min(remainingAbsolute, remainingIdle);
    if (remaining <= 0) return expire();
    timer = setTimeout(() => void check(), Math.min(remaining + 50, 2 ** 31 - 1));
    timer.unref();
  };
  socket.on('disconnect', () => clearTimeout(timer));
  void check();
}
