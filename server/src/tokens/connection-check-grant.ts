/**
 * The LiveKit grant for the pre-call connection check: join its own throw-away room and nothing
 * else. Publishing nothing and subscribing to nothing, the browser still sets up the peer
 * connection the call would use (ICE over UDP, TCP or TURN), which is all the check needs to see.
 * Tests deep-equal this.
 */
export function connectionCheckGrant(roomName: string) {
  return {
    roomJoin: true,
    room: roomName,
    canSubscribe: false,
    canPublish: false,
    canPublishData: false,
    canUpdateOwnMetadata: false,
  } as const;
}
