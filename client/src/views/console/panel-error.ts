/** What the panel says when a command or request fails: by error code, never the server's words. */
import { ApiError } from '../../api/http-client.ts';
import { CommandError } from '../../api/socket-connection.ts';
import type { MessageKey } from '../../i18n/translate.ts';

export function panelErrorKey(error: unknown): MessageKey {
  const code = error instanceof CommandError ? error.body.code : error instanceof ApiError ? error.code : 'internal';
  if (code === 'conflict') return 'panel.error.conflict';
  if (code === 'session_ended') return 'panel.error.ended';
  if (code === 'timeout' || code === 'network') return 'panel.error.network';
  if (code === 'service_unavailable') {
    const details = error instanceof CommandError && 'details' in error.body ? error.body.details : error instanceof ApiError ? error.details : undefined;
    return details?.service === 'media' ? 'panel.error.mediaUnavailable' : 'panel.error.unavailable';
  }
  return 'panel.error.generic';
}
