import { RoomServiceClient, EgressClient, ParticipantInfo_State, ServerError, TrackSource, TrackType } from 'livekit-server-sdk';
import { AppError } from '../../app-error.ts';
import type { Logger } from '../../observability/logger.ts';
import type { MediaRooms } from '../../sessions/media-rooms.ts';

/**
 * Every RoomService call gives up after this, well inside the console's 8 s command
 * timeout: a stalled LiveKit answers the therapist with a 503 they can act on, not "no answer".
 */
export const LIVEKIT_REQUEST_TIMEOUT_SECONDS = 3;

/**
 * LiveKit routes a call about one participant (remove, mute) to the node that holds them and,
 * when no node claims them (they left just then, or their node died), answers "unavailable" once
 * its own routing timeout (psrpc's 3 s) has passed — measured at 3,005 ms. Those calls wait a
 * second longer than that, so what we hear is LiveKit's answer, never our own timeout firing
 * a few milliseconds before it (which read as "LiveKit down": the CI flake of stop 27).
 */
export const LIVEKIT_PARTICIPANT_CALL_TIMEOUT_SECONDS = 4;

/**
 * What follows a participant call that met a departure — "is this participant still listed?" and,
 * if LiveKit itself said it found nobody yet still lists them, one more removal — LiveKit answers
 * in milliseconds when it is well, so these get 2 s: a whole removal ends within 7 s at worst,
 * inside the console's 8 s command timeout.
 */
export const LIVEKIT_SECOND_LOOK_TIMEOUT_SECONDS = 2;

/** LiveKit's HTTP API lives on the same host as its signalling WebSocket. */
export function livekitApiHost(livekitUrl: string): string {
  return livekitUrl.replace(/^ws(s?):\/\//u, 'http$1://');
}

const isNotFound = (error: unknown) => error instanceof ServerError && (error.status === 404 || error.code === 'not_found');
/** LiveKit routes a participant's call to the node that holds them; with no node answering for them it says "unavailable". */
const isNobodyToAsk = (error: unknown) => error instanceof ServerError && error.status === 503 && error.code === 'unavailable';
/** LiveKit's own routing gave up waiting for the node it had chosen (a node that claimed the call, then let the participant go). */
const isRoutingTimeout = (error: unknown) => error instanceof ServerError && (error.code === 'deadline_exceeded' || error.status === 408 || error.status === 504);
/** Our own wait ran out (the SDK aborts its fetch with a TimeoutError). */
const isOwnTimeout = (error: unknown) => error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
/**
 * No answer about one participant: nobody to route to, LiveKit's routing timed out, or we stopped
 * waiting. Read in psrpc v0.7.2 (LiveKit's RPC layer, 3 tries): when a node claims the call and the
 * participant closes before it runs, LiveKit waits 3 s for an answer that never comes, then 1 s per
 * try for a new claim — past our 4 s. Whether they left is then asked of LiveKit's list, never assumed.
 */
const isNoAnswerAbout = (error: unknown) => isNobodyToAsk(error) || isRoutingTimeout(error) || isOwnTimeout(error);
/** What the outage warning may say about a failure: its kind and code, never its message (which can name a room or person). */
const failureOf = (error: unknown) => ({ errorName: (error as Error).name, code: error instanceof ServerError ? (error.code ?? String(error.status)) : undefined });

/**
 * LiveKit down (connection refused), stalled (timeout) or failing (5xx) is "briefly
 * unavailable" to our callers: a 503 and a message the console shows, never a 500.
 */
function createOutageWatch(logger: Logger) {
  let answering = true;
  return async function calling<T>(call: () => Promise<T>, what: string): Promise<T> {
    try {
      const result = await call();
      if (!answering) logger.info('livekit answering again', { event: 'livekit.recovered' });
      answering = true;
      return result;
    } catch (error) {
      if (error instanceof ServerError && error.status < 500 && !isRoutingTimeout(error)) throw error;
      // Logged once per outage, however many calls fail during it.
      if (answering) logger.warn('livekit not answering: room calls fail with 503', { event: 'livekit.unavailable', method: what, ...failureOf(error) });
      answering = false;
      throw AppError.mediaUnavailable(error);
    }
  };
}

export function createLivekitMediaRooms(options: { url: string; apiKey: string; apiSecret: string }, logger: Logger): MediaRooms {
  const calling = createOutageWatch(logger);
  const host = livekitApiHost(options.url);
  // No region fail-over: that is for LiveKit Cloud, and it would retry past our timeout.
  const clientOptions = { requestTimeout: LIVEKIT_REQUEST_TIMEOUT_SECONDS, failover: false };
  const rooms = new RoomServiceClient(host, options.apiKey, options.apiSecret, clientOptions);
  const participantCalls = new RoomServiceClient(host, options.apiKey, options.apiSecret, { ...clientOptions, requestTimeout: LIVEKIT_PARTICIPANT_CALL_TIMEOUT_SECONDS });
  const secondLooks = new RoomServiceClient(host, options.apiKey, options.apiSecret, { ...clientOptions, requestTimeout: LIVEKIT_SECOND_LOOK_TIMEOUT_SECONDS });
  const egress = new EgressClient(host, options.apiKey, options.apiSecret, clientOptions);

  /** Whether LiveKit still has them in the room: not listed, or listed as disconnected (leaving), is gone. */
  async function isStillThere(roomName: string, identity: string): Promise<boolean> {
    try {
      const participant = await secondLooks.getParticipant(roomName, identity);
      return participant.state !== ParticipantInfo_State.DISCONNECTED;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  return {
    async createRoom({ roomName, maxParticipants, emptyTimeoutSeconds, departureTimeoutSeconds }) {
      await calling(() => rooms.createRoom({ name: roomName, maxParticipants, emptyTimeout: emptyTimeoutSeconds, departureTimeout: departureTimeoutSeconds }), 'CreateRoom');
    },
    async deleteRoom(roomName) {
      try {
        await calling(() => rooms.deleteRoom(roomName), 'DeleteRoom');
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async removeParticipant(roomName, identity) {
      await calling(async () => {
        // LiveKit still listed them, but had nobody to remove by the time it asked their node: they
        // left just then (a page leaves as soon as it is told it was removed or sent back). Gone, or
        // leaving, is done. Still listed, though LiveKit itself answered: asked once more (it had not
        // yet forgotten them). Still listed after our own wait ran out, or after the second try: their
        // node is not answering, and that is an outage.
        try {
          await participantCalls.removeParticipant(roomName, identity);
          return;
        } catch (error) {
          if (isNotFound(error)) return;
          if (!isNoAnswerAbout(error)) throw error;
          if (!(await isStillThere(roomName, identity))) return;
          if (isOwnTimeout(error)) throw error;
        }
        try {
          await secondLooks.removeParticipant(roomName, identity);
        } catch (error) {
          if (isNotFound(error)) return;
          if (!isNoAnswerAbout(error) || (await isStillThere(roomName, identity))) throw error;
        }
      }, 'RemoveParticipant');
    },
    async muteMicrophone(roomName, identity) {
      let tracks;
      try {
        tracks = (await calling(() => rooms.getParticipant(roomName, identity), 'GetParticipant')).tracks;
      } catch (error) {
        if (isNotFound(error)) return 0;
        throw error;
      }
      const microphones = tracks.filter((t) => t.type === TrackType.AUDIO && (t.source === TrackSource.MICROPHONE || t.source === TrackSource.UNKNOWN) && !t.muted);
      // Left the room as they were muted: that track is gone, not muted, and not an outage.
      const muted = await calling(() =>
        Promise.all(
          microphones.map(async (t) => {
            try {
              await participantCalls.mutePublishedTrack(roomName, identity, t.sid, true);
              return 1;
            } catch (error) {
              if (isNotFound(error) || (isNoAnswerAbout(error) && !(await isStillThere(roomName, identity)))) return 0;
              throw error;
            }
          }),
        ),
        'MutePublishedTrack',
      );
      return muted.reduce((sum: number, n) => sum + n, 0);
    },
    async stopEgress(egressId) {
      await calling(() => egress.stopEgress(egressId), 'StopEgress');
    },
  };
}
