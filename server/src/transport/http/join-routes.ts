import type { ConnectionCheckService } from '../../tokens/connection-check-service.ts';
import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import type { RouteHandlers } from './route-table.ts';

/** The client's HTTP calls: the invite secret travels in the body, never in a URL. */
export function createJoinRoutes(deps: { tokens: MediaTokenService; checks: ConnectionCheckService }): Pick<RouteHandlers, 'joinToken' | 'connectionCheck'> {
  return {
    joinToken: ({ req, body }) => deps.tokens.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp: req.ip ?? 'unknown' }),
    // A throw-away room, before the client waits (not after admission).
    connectionCheck: ({ req, body }) => deps.checks.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp: req.ip ?? 'unknown' }),
  };
}
