import { socketRooms, type AlcoveServer } from './socket-types.ts';

const THERAPIST_ROOM_PREFIX = socketRooms.therapist('');
const CLIENT_ROOM_PREFIX = socketRooms.participant('');

/**
 * Open sockets on this instance by role, from the local rooms every socket joins at connection
 * (socket-handshake.ts: a therapist's `therapist:{id}`, a client's `participant:{id}`); each
 * socket is in exactly one room of its kind, and the adapter's room map is this process's only.
 */
export function countSocketsByRole(io: AlcoveServer): { client: number; therapist: number } {
  let client = 0;
  let therapist = 0;
  for (const [room, members] of io.of('/').adapter.rooms) {
    if (room.startsWith(CLIENT_ROOM_PREFIX)) client += members.size;
    else if (room.startsWith(THERAPIST_ROOM_PREFIX)) therapist += members.size;
  }
  return { client, therapist };
}
