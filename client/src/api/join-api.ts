import { COMMANDS, HTTP_ROUTES, type ConnectionCheckResponse, type MediaTokenResponse } from '@alcove/shared';
import { ApiError, callRoute } from './http-client.ts';
import { CommandError, sendCommand, type AlcoveSocket } from './socket-connection.ts';

/** The client's HTTP calls. The invite travels in the body, never in the URL. */
export function fetchClientMediaToken(invite: string, deviceId: string): Promise<MediaTokenResponse> {
  return callRoute(HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
}

/**
 * The media token at admission, asked for over the socket that is already authenticated (no new
 * connection, no second proof of the invite): the server answers in this command's ack alone.
 * Refused, it fails as the HTTP route does (an `ApiError` with the same code; a socket has no
 * status, so 0), so a join treats both refusals alike. Refreshes and rejoins use the HTTP route.
 */
export async function requestMediaToken(socket: AlcoveSocket, sessionId: string): Promise<MediaTokenResponse> {
  try {
    return await sendCommand(socket, COMMANDS.requestMediaToken, { sessionId });
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    throw new ApiError(0, error.body.code === 'timeout' ? 'network' : error.body.code, error.body.code === 'timeout' ? undefined : error.body.details);
  }
}

/** The pre-call connection check's throw-away room. */
export function fetchConnectionCheck(invite: string, deviceId: string): Promise<ConnectionCheckResponse> {
  return callRoute(HTTP_ROUTES.connectionCheck, { body: { invite, deviceId } });
}
