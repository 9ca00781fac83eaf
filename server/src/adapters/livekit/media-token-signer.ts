import { AccessToken, TrackSource } from 'livekit-server-sdk';
import type { MediaTokenSigner } from '../../tokens/media-token-service.ts';
import { connectionCheckGrant } from '../../tokens/connection-check-grant.ts';
import { talkOnlyGrant } from '../../tokens/talk-only-grant.ts';

const SOURCE_ENUM = { camera: TrackSource.CAMERA, microphone: TrackSource.MICROPHONE } as const;

export function createLivekitTokenSigner(options: { apiKey: string; apiSecret: string }): MediaTokenSigner {
  return {
    async sign({ identity, name, roomName, ttlSeconds }) {
      const token = new AccessToken(options.apiKey, options.apiSecret, { identity, name, ttl: ttlSeconds });
      const grant = talkOnlyGrant(roomName);
      token.addGrant({ ...grant, canPublishSources: grant.canPublishSources.map((s) => SOURCE_ENUM[s]) });
      return token.toJwt();
    },
    async signConnectionCheck({ identity, roomName, ttlSeconds }) {
      const token = new AccessToken(options.apiKey, options.apiSecret, { identity, ttl: ttlSeconds });
      token.addGrant(connectionCheckGrant(roomName));
      return token.toJwt();
    },
  };
}
