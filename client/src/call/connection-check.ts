/**
 * The pre-call connection check, once per page: started by check-in, kept while the journey moves
 * on (its result is reported to the therapist even if the client checked in before it finished).
 * Only the verdict leaves the browser, over the socket the client already has.
 */
import type { ConnectionCheckResponse, ConnectionVerdict } from '@alcove/shared';
import { verdictOf, type MediaPath } from './connection-verdict.ts';

/** No media path within this is "your network blocks video calls" (a clinic's TURN/TLS path takes a second or two). */
export const CONNECTION_CHECK_TIMEOUT_MS = 8000;

export type ConnectionCheckState =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'done'; verdict: ConnectionVerdict; path: MediaPath | null; durationMs: number }
  | { status: 'not-run' };

export interface ConnectionCheck {
  state(): ConnectionCheckState;
  /** Starts the check unless it is running; a finished check runs again ("check again"). */
  start(): void;
  onChange(listener: (state: ConnectionCheckState) => void): () => void;
}

export interface ConnectionCheckDeps {
  /** Asks our server for the check's throw-away room (authenticated by the invite). */
  fetchRoom(): Promise<ConnectionCheckResponse>;
  /** Tells the therapist's console; a failure here changes nothing for the client. */
  report(verdict: ConnectionVerdict): Promise<unknown>;
}

const loadProbe = () => import('./connection-probe.ts');

export function createConnectionCheck(deps: ConnectionCheckDeps): ConnectionCheck {
  let current: ConnectionCheckState = { status: 'idle' };
  const listeners = new Set<(state: ConnectionCheckState) => void>();
  const set = (next: ConnectionCheckState) => {
    current = next;
    for (const listener of listeners) listener(next);
  };

  async function run() {
    const startedAt = performance.now();
    try {
      const probe = await loadProbe();
      let path: MediaPath | null = null;
      const canEncrypt = probe.canEncrypt();
      // Without encryption the call cannot happen on any network: no need to ask LiveKit.
      if (canEncrypt) {
        const room = await deps.fetchRoom();
        path = await probe.probeMediaPath(room.url, room.token, CONNECTION_CHECK_TIMEOUT_MS);
      }
      const verdict = verdictOf({ canEncrypt, path });
      set({ status: 'done', verdict, path, durationMs: Math.round(performance.now() - startedAt) });
      await deps.report(verdict).catch(() => undefined);
    } catch {
      set({ status: 'not-run' });
    }
  }

  return {
    state: () => current,
    start() {
      if (current.status === 'checking') return;
      set({ status: 'checking' });
      void run();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
