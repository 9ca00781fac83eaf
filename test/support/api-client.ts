/** A tiny HTTP client for tests: JSON in, JSON out, the therapist's cookie kept. */
import type { CreateSessionResponse, MediaTokenResponse } from '@alcove/shared';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = any>(
  origin: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
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

export interface TherapistClient {
  cookie: string;
  call<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  createSession(kind: 'individual' | 'couple', extra?: Record<string, unknown>): Promise<CreateSessionResponse & { secrets: string[] }>;
  start(sessionId: string): Promise<MediaTokenResponse>;
}

export async function loginTherapist(origin: string, email: string, password: string): Promise<TherapistClient> {
  const response = await request(origin, 'POST', '/api/auth/login', { body: { email, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const call = <T>(method: string, path: string, body?: unknown) => request<T>(origin, method, path, { body, cookie });
  return {
    cookie,
    call,
    async createSession(kind, extra = {}) {
      const created = await call<CreateSessionResponse>('POST', '/api/sessions', { kind, ...extra });
      if (created.status !== 201) throw new Error(`create session failed: ${created.status} ${JSON.stringify(created.body)}`);
      return { ...created.body, secrets: created.body.invites.map((i) => new URL(i.joinUrl).hash.slice(1)) };
    },
    async start(sessionId) {
      const started = await call<MediaTokenResponse>('POST', `/api/sessions/${sessionId}/start`, {});
      if (started.status !== 200) throw new Error(`start failed: ${started.status} ${JSON.stringify(started.body)}`);
      return started.body;
    },
  };
}
