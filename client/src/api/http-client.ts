/**
 * JSON over fetch, same origin only. The server refuses state-changing requests
 * without `Content-Type: application/json` and a same-origin Origin (the browser
 * sends that itself). Secrets go in bodies, never in URLs.
 */
import type { ErrorBody, ErrorCode } from '@alcove/shared';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    readonly details: ErrorBody['details'] = undefined,
  ) {
    super(code);
    this.name = 'ApiError';
  }
}

async function send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network');
  }
  if (response.status === 204) return null as T;
  const payload = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const error = (payload as { error?: ErrorBody } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'internal', error?.details);
  }
  return payload as T;
}

export const getJson = <T>(path: string) => send<T>('GET', path);
export const postJson = <T>(path: string, body: unknown = {}) => send<T>('POST', path, body);
