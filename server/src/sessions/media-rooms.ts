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
