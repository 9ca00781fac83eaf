import { RoomServiceClient, EgressClient, ServerError, TrackSource, TrackType } from 'livekit-server-sdk';
import type { MediaRooms } from '../../sessions/media-rooms.ts';

/** LiveKit's HTTP API lives on the same host as its signalling WebSocket. */
export function livekitApiHost(livekitUrl: string): string {
  return livekitUrl.replace(/^ws(s?):\/\//u, 'http$1://');
}

const isNotFound = (error: unknown) => error instanceof ServerError && (error.status === 404 || error.code === 'not_found');

export function createLivekitMediaRooms(options: { url: string; apiKey: string; apiSecret: string }): MediaRooms {
  const host = livekitApiHost(options.url);
  const rooms = new RoomServiceClient(host, options.apiKey, options.apiSecret);
  const egress = new EgressClient(host, options.apiKey, options.apiSecret);

  return {
    async createRoom({ roomName, maxParticipants, emptyTimeoutSeconds, departureTimeoutSeconds }) {
      await rooms.createRoom({ name: roomName, maxParticipants, emptyTimeout: emptyTimeoutSeconds, departureTimeout: departureTimeoutSeconds });
    },
    async deleteRoom(roomName) {
      try {
        await rooms.deleteRoom(roomName);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async removeParticipant(roomName, identity) {
      try {
        await rooms.removeParticipant(roomName, identity);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async muteMicrophone(roomName, identity) {
      let tracks;
      try {
        tracks = (await rooms.getParticipant(roomName, identity)).tracks;
      } catch (error) {
        if (isNotFound(error)) return 0;
        throw error;
      }
      const microphones = tracks.filter((t) => t.type === TrackType.AUDIO && (t.source === TrackSource.MICROPHONE || t.source === TrackSource.UNKNOWN) && !t.muted);
      await Promise.all(microphones.map((t) => rooms.mutePublishedTrack(roomName, identity, t.sid, true)));
      return microphones.length;
    },
    async stopEgress(egressId) {
      await egress.stopEgress(egressId);
    },
  };
}
