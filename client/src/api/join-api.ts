import { HTTP_ROUTES, type ConnectionCheckResponse, type MediaTokenResponse } from '@alcove/shared';
import { callRoute } from './http-client.ts';

/** The client's HTTP calls. The invite travels in the body, never in the URL. */
export function fetchClientMediaToken(invite: string, deviceId: string): Promise<MediaTokenResponse> {
  return callRoute(HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
}

/** The pre-call connection check's throw-away room. */
export function fetchConnectionCheck(invite: string, deviceId: string): Promise<ConnectionCheckResponse> {
  return callRoute(HTTP_ROUTES.connectionCheck, { body: { invite, deviceId } });
}
