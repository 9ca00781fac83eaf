import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import type { RouteHandlers } from './route-table.ts';

/** The client's only HTTP call: the invite secret travels in the body, never in a URL. */
export function createJoinRoutes(deps: { tokens: MediaTokenService }): Pick<RouteHandlers, 'joinToken'> {
  return {
    joinToken: ({ req, body }) => deps.tokens.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp: req.ip ?? 'unknown' }),
  };
}
