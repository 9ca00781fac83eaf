import type { ConnectionCheckResponse, MediaTokenResponse } from '@alcove/shared';
import { postJson } from './http-client.ts';

/** The client's HTTP calls. The invite travels in the body, never in the URL. */
export function fetchClientMediaToken(invite: string, deviceId: string): Promise<MediaTokenResponse> {
  return postJson<MediaTokenResponse>('/api/join/token', { invite, deviceId });
}

/** The pre-call connection check's throw-away room. */
export function fetchConnectionCheck(invite: string, deviceId: string): Promise<ConnectionCheckResponse> {
  return postJson<ConnectionCheckResponse>('/api/join/connection-check', { invite, deviceId });
}
