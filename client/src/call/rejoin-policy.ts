/**
 * What a lost media connection means and how to get back: whether to rejoin at all, how long
 * to wait before each attempt, and which answers from our server end the attempts. Pure (no
 * timers, no IO, no livekit-client), so it is unit tested on its own; `media-reconnect.ts`
 * does the wiring.
 */
import type { ErrorCode } from '@alcove/shared';

/** Why a call ended, as the controllers understand it (see `call-room.ts` for LiveKit's reasons). */
export type CallEndReason = 'left' | 'removed' | 'ended' | 'replaced' | 'lost';

export const REJOIN_FIRST_DELAY_MS = 500;
export const REJOIN_MAX_DELAY_MS = 8_000;
/**
 * Up to this share of each delay is taken off at random: after a LiveKit restart every browser
 * of every session loses its connection in the same instant, and must not all come back in one.
 */
export const REJOIN_JITTER = 0.2;

/**
 * Only a connection that was lost is rejoined. Leaving, being removed, being replaced by another
 * device and a deleted room (the therapist ended the session: the room is deleted only after the
 * session is closed) are ends. A crashed or restarted LiveKit deletes nothing: livekit-client's
 * own resume fails against a server that forgot the room, and it reports that as a plain loss.
 */
export function shouldRejoin(reason: CallEndReason): boolean {
  return reason === 'lost';
}

/** Capped exponential back-off: 0.5 s, 1 s, 2 s, 4 s, then 8 s, each shortened by up to 20 %. */
export function rejoinDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(REJOIN_MAX_DELAY_MS, REJOIN_FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 - REJOIN_JITTER * random()));
}

/**
 * Why one rejoin attempt failed: our server's error code, no answer (`network` from fetch,
 * `timeout` from a socket command), or `media` when LiveKit itself refused or was unreachable.
 */
export type RejoinFailure = ErrorCode | 'network' | 'timeout' | 'media';

export type RejoinVerdict = { retry: true } | { retry: false; reason: CallEndReason };

/**
 * A failure of the service is worth waiting out; an answer about this person is not. A token
 * asked within a few seconds of the server's last look at the room can still point at a room a
 * restarted LiveKit has not got yet (`media`), so that is retried too. `not_admitted` and
 * anything else unexpected end the attempts as `lost`: the controller then asks the server where
 * this person stands (waiting room, closed) rather than guessing.
 */
export function verdictOn(failure: RejoinFailure): RejoinVerdict {
  switch (failure) {
    case 'service_unavailable':
    case 'rate_limited':
    case 'internal':
    case 'network':
    case 'timeout':
    case 'media':
      return { retry: true };
    case 'session_ended':
      return { retry: false, reason: 'ended' };
    case 'invalid_invite':
      return { retry: false, reason: 'removed' };
    case 'device_in_use':
      return { retry: false, reason: 'replaced' };
    default:
      return { retry: false, reason: 'lost' };
  }
}
