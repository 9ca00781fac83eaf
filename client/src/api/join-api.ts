import type { MediaTokenResponse } from '@alcove/shared';
import { postJson } from './http-client.ts';

/** The client's only HTTP call. The invite travels in the body, never in the URL. */
export function fetchClientMediaToken(invite: string, deviceId: string): Promise<MediaTokenResponse> {
  return postJson<MediaTokenResponse>('/api/join/token', { invite, deviceId });
}
