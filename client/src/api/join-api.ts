import { HTTP_ROUTES, type MediaTokenResponse } from '@alcove/shared';
import { callRoute } from './http-client.ts';

/** The client's only HTTP call. The invite travels in the body, never in the URL. */
export function fetchClientMediaToken(invite: string, deviceId: string): Promise<MediaTokenResponse> {
  return callRoute(HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
}
