/**
 * A tiny HTTP client for tests: JSON in, JSON out, the therapist's cookie kept.
 * Paths come from the contract (HTTP_ROUTES in shared/src/http-routes.ts); `request`
 * with a hand-written path is for what is deliberately not a route (unknown
 * endpoints, hostile paths).
 */
import { HTTP_ROUTES, routePath, type CreateSessionResponse, type HttpRoute, type MediaTokenResponse } from '@alcove/shared';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

export interface RouteOptions extends RequestOptions {
  /** Path parameters, URL-encoded into the route's path. */
  params?: Record<string, string>;
}

export async function request<T = any>(origin: string, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { origin, ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(origin + path, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

const pathOf = (route: HttpRoute, params?: Record<string, string>) =>
  (routePath as (route: HttpRoute, params?: Record<string, string>) => string)(route, params);

/** Calls one route of the contract. Bodies are not typed: tests send wrong ones on purpose. */
export function callRoute<T = any>(origin: string, route: HttpRoute, options: RouteOptions = {}): Promise<ApiResponse<T>> {
  const { params, ...rest } = options;
  return request<T>(origin, route.method, pathOf(route, params), rest);
}

/** A route's path with parameters put in as they are, not encoded: for hostile ids (`%ZZ`, `..`). */
export function rawRoutePath(route: HttpRoute, params: Record<string, string>): string {
  return route.path.replace(/:([A-Za-z]+)/gu, (_match, name: string) => params[name] ?? `:${name}`);
}

export interface TherapistClient {
  cookie: string;
  call<T = any>(route: HttpRoute, options?: Pick<RouteOptions, 'params' | 'body'>): Promise<ApiResponse<T>>;
  createSession(kind: 'individual' | 'couple', extra?: Record<string, unknown>): Promise<CreateSessionResponse & { secrets: string[] }>;
  start(sessionId: string): Promise<MediaTokenResponse>;
}

export async function loginTherapist(origin: string, email: string, password: string): Promise<TherapistClient> {
  const response = await callRoute(origin, HTTP_ROUTES.login, { body: { email, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const call = <T>(route: HttpRoute, options: Pick<RouteOptions, 'params' | 'body'> = {}) => callRoute<T>(origin, route, { ...options, cookie });
  return {
    cookie,
    call,
    async createSession(kind, extra = {}) {
      const created = await call<CreateSessionResponse>(HTTP_ROUTES.createSession, { body: { kind, ...extra } });
      if (created.status !== 201) throw new Error(`create session failed: ${created.status} ${JSON.stringify(created.body)}`);
      return { ...created.body, secrets: created.body.invites.map((i) => new URL(i.joinUrl).hash.slice(1)) };
    },
    async start(sessionId) {
      const started = await call<MediaTokenResponse>(HTTP_ROUTES.startSession, { params: { sessionId }, body: {} });
      if (started.status !== 200) throw new Error(`start failed: ${started.status} ${JSON.stringify(started.body)}`);
      return started.body;
    },
  };
}
