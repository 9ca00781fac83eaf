/**
 * JSON over fetch, same origin only. The server refuses state-changing requests
 * without `Content-Type: application/json` and a same-origin Origin (the browser
 * sends that itself). Secrets go in bodies, never in URLs.
 */
import { routePath, type ErrorBody, type ErrorCode, type HttpRoute, type RouteBody, type RouteParamName, type RouteParams, type RouteResponse } from '@alcove/shared';

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

type RouteInput<R extends HttpRoute> = ([RouteParamName<R>] extends [never] ? { params?: undefined } : { params: RouteParams<R> }) &
  (RouteBody<R> extends undefined ? { body?: undefined } : { body: RouteBody<R> });

/** Calls one route of the HTTP contract (shared/src/http-routes.ts); paths are never written here. */
export function callRoute<R extends HttpRoute>(route: R, ...input: {} extends RouteInput<R> ? [RouteInput<R>?] : [RouteInput<R>]): Promise<RouteResponse<R>> {
  const { params, body } = (input[0] ?? {}) as { params?: Record<string, string>; body?: unknown };
  const path = (routePath as (route: HttpRoute, params?: Record<string, string>) => string)(route, params);
  return send<RouteResponse<R>>(route.method, path, route.method === 'GET' ? undefined : (body ?? {}));
}
