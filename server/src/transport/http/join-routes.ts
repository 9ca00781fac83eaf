import type { HTTP_ROUTE_SCHEMAS, MediaTokenResponse } from '@alcove/shared';
import type { z } from 'zod';
import type { ConnectionCheckService } from '../../tokens/connection-check-service.ts';
import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import type { RouteHandlers } from './route-table.ts';

type JoinTokenBody = z.output<(typeof HTTP_ROUTE_SCHEMAS)['joinToken']['body']>;

/** The media token for a client's HTTP request: the route table's and the token fast path's (token-fast-path.ts). */
export function joinTokenIssuer(tokens: MediaTokenService): (body: JoinTokenBody, clientIp: string) => Promise<MediaTokenResponse> {
  return (body, clientIp) => tokens.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp });
}

/** The client's HTTP calls: the invite secret travels in the body, never in a URL. */
export function createJoinRoutes(deps: { tokens: MediaTokenService; checks: ConnectionCheckService }): Pick<RouteHandlers, 'joinToken' | 'connectionCheck'> {
  const issue = joinTokenIssuer(deps.tokens);
  return {
    joinToken: ({ req, body }) => issue(body, req.ip ?? 'unknown'),
    // A throw-away room, before the client waits (not after admission).
    connectionCheck: ({ req, body }) => deps.checks.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp: req.ip ?? 'unknown' }),
  };
}
