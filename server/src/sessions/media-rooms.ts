/** What the domain needs from the media server (LiveKit), behind a small interface. */
export interface MediaRooms {
  createRoom(input: { roomName: string; maxParticipants: number; emptyTimeoutSeconds: number; departureTimeoutSeconds: number }): Promise<void>;
  /** Idempotent: deleting a room that does not exist is not an error. */
  deleteRoom(roomName: string): Promise<void>;
  /** Idempotent: removing someone who is not in the room is not an error. */
  removeParticipant(roomName: string, identity: string): Promise<void>;
  /** Mutes every microphone track the participant publishes; returns how many. */
  muteMicrophone(roomName: string, identity: string): Promise<number>;
  stopEgress(egressId: string): Promise<void>;
}

/** Signs a LiveKit access token with the talk-only grant set (tokens/talk-only-grant.ts). */
export interface MediaTokenSigner {
  sign(input: { identity: string; name: string; roomName: string; ttlSeconds: number }): Promise<string>;
  /** A connection-check token (tokens/connection-check-grant.ts): no name, no publish, no subscribe. */
  signConnectionCheck(input: { identity: string; roomName: string; ttlSeconds: number }): Promise<string>;
}
