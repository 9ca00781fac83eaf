import { TALK_ONLY_SOURCES } from '@alcove/shared';

/**
 * The exact LiveKit video grant every Alcove participant gets, therapist
 * included: join one room, hear and see, publish camera and microphone only.
 * Nothing else — no data channel, no metadata, no admin, no recording, no
 * hidden or agent participants, no room config. Tests deep-equal this.
 */
export function talkOnlyGrant(roomName: string) {
  return {
    roomJoin: true,
    room: roomName,
    canSubscribe: true,
    canPublish: true,
    canPublishSources: [...TALK_ONLY_SOURCES],
    canPublishData: false,
    canUpdateOwnMetadata: false,
  } as const;
}

export type TalkOnlyGrant = ReturnType<typeof talkOnlyGrant>;
