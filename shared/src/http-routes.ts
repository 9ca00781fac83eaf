/**
 * The HTTP contract: every route the server answers, written once. The server
 * mounts exactly these (transport/http/route-table.ts, checked by
 * test/integration/http-route-table.test.ts), the browser's API client and the
 * tests build their URLs from them.
 *
 * Body schemas are carried here as types only, so the browser bundle does not
 * pull in zod; their runtime twins are in http-route-schemas.ts (server side),
 * checked against these types.
 */
import type { z } from 'zod';
import type {
  ConnectionCheckResponse,
  CreateSessionResponse,
  GetSessionResponse,
  InviteLink,
  IntakeResponse,
  ListSessionsResponse,
  LoginResponse,
  MediaTokenResponse,
  SealingKeyResponse,
  TotpConfirmResponse,
  TotpSetupResponse,
} from './http.ts';
import type {
  attachIntakeBodySchema,
  createSessionBodySchema,
  emptyBodySchema,
  loginBodySchema,
  participantTokenBodySchema,
  setSealingKeyBodySchema,
  totpConfirmBodySchema,
} from './schemas.ts';

export type HttpMethod = 'GET' | 'POST';

/** Type-only marker: what a route takes and answers. Never present at run time. */
declare const CONTRACT: unique symbol;

export interface HttpRoute<P extends string = string> {
  readonly method: HttpMethod;
  /** Express-style path; `:name` segments are parameters. */
  readonly path: P;
  /** `therapist`: needs the login cookie. `public`: anyone (a client proves itself with its invite, in the body). */
  readonly access: 'therapist' | 'public';
  /** Status of a success. 204 answers no body. */
  readonly status: 200 | 201 | 204;
}

interface Contract<B extends z.ZodType | null, R> {
  readonly [CONTRACT]?: { body: B; response: R };
}

export type ContractedRoute<P extends string, B extends z.ZodType | null, R> = HttpRoute<P> & Contract<B, R>;

/** `route<bodySchema, response>()({ ... })`: the two type arguments are the contract, the object the wire. */
const route =
  <B extends z.ZodType | null, R>() =>
  <const S extends HttpRoute>(spec: S): S & Contract<B, R> =>
    spec as S & Contract<B, R>;

export const HTTP_ROUTES = {
  // the therapist's login
  login: route<typeof loginBodySchema, LoginResponse>()({ method: 'POST', path: '/api/auth/login', access: 'public', status: 200 }),
  /** Public: logging out of an expired login is still a success. */
  logout: route<typeof emptyBodySchema, null>()({ method: 'POST', path: '/api/auth/logout', access: 'public', status: 204 }),
  me: route<null, LoginResponse>()({ method: 'GET', path: '/api/auth/me', access: 'therapist', status: 200 }),
  setUpTotp: route<typeof emptyBodySchema, TotpSetupResponse>()({ method: 'POST', path: '/api/auth/totp/setup', access: 'therapist', status: 200 }),
  confirmTotp: route<typeof totpConfirmBodySchema, TotpConfirmResponse>()({ method: 'POST', path: '/api/auth/totp/confirm', access: 'therapist', status: 200 }),
  // the therapist's sealing public key (the private key never leaves the console's browser)
  getSealingKey: route<null, SealingKeyResponse>()({ method: 'GET', path: '/api/sealing-key', access: 'therapist', status: 200 }),
  setSealingKey: route<typeof setSealingKeyBodySchema, SealingKeyResponse>()({ method: 'POST', path: '/api/sealing-key', access: 'therapist', status: 200 }),
  // the therapist's sessions
  createSession: route<typeof createSessionBodySchema, CreateSessionResponse>()({ method: 'POST', path: '/api/sessions', access: 'therapist', status: 201 }),
  listSessions: route<null, ListSessionsResponse>()({ method: 'GET', path: '/api/sessions', access: 'therapist', status: 200 }),
  getSession: route<null, GetSessionResponse>()({ method: 'GET', path: '/api/sessions/:sessionId', access: 'therapist', status: 200 }),
  /** "Join the call": creates the media room if needed and returns the therapist's media token. */
  startSession: route<typeof emptyBodySchema, MediaTokenResponse>()({ method: 'POST', path: '/api/sessions/:sessionId/start', access: 'therapist', status: 200 }),
  endSession: route<typeof emptyBodySchema, null>()({ method: 'POST', path: '/api/sessions/:sessionId/end', access: 'therapist', status: 204 }),
  /** Attach, replace or take away the sealed intake, until someone answered it. */
  attachIntake: route<typeof attachIntakeBodySchema, IntakeResponse>()({ method: 'POST', path: '/api/sessions/:sessionId/intake', access: 'therapist', status: 200 }),
  reissueInvite: route<typeof emptyBodySchema, InviteLink>()({
    method: 'POST',
    path: '/api/sessions/:sessionId/participants/:participantId/invite',
    access: 'therapist',
    status: 201,
  }),
  // the client's calls: the invite travels in the body, never in a URL
  joinToken: route<typeof participantTokenBodySchema, MediaTokenResponse>()({ method: 'POST', path: '/api/join/token', access: 'public', status: 200 }),
  /** The pre-call connection check's throw-away room, asked at check-in (before waiting, not after admission). */
  connectionCheck: route<typeof participantTokenBodySchema, ConnectionCheckResponse>()({ method: 'POST', path: '/api/join/connection-check', access: 'public', status: 200 }),
} as const;

/**
 * Routes outside the JSON API: probes for the load balancer and systemd, LiveKit's signed
 * webhook (a raw body, verified by signature), and the browser app's pages.
 */
export const SERVICE_ROUTES = {
  health: { method: 'GET', path: '/healthz' },
  ready: { method: 'GET', path: '/readyz' },
  livekitWebhook: { method: 'POST', path: '/webhooks/livekit' },
  appPages: { method: 'GET', paths: ['/', '/join', '/console'] },
} as const;

export type HttpRouteName = keyof typeof HTTP_ROUTES;
export type HttpRoutes = typeof HTTP_ROUTES;

type ContractOf<R> = R extends Contract<infer B, infer T> ? { body: B; response: T } : never;
/** The schema type of a route's JSON body (null: the route reads no body). */
export type RouteBodySchema<R> = ContractOf<R>['body'];
/** What the browser sends. */
export type RouteBody<R> = RouteBodySchema<R> extends z.ZodType ? z.input<RouteBodySchema<R>> : undefined;
/** What the server answers on success (null for 204). */
export type RouteResponse<R> = ContractOf<R>['response'];

type ParamNamesOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNamesOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;
export type RouteParamName<R> = R extends HttpRoute<infer P> ? ParamNamesOf<P> : never;
export type RouteParams<R> = [RouteParamName<R>] extends [never] ? Record<string, never> : Record<RouteParamName<R>, string>;

/** The URL path of a route, each parameter URL-encoded. */
export function routePath<R extends HttpRoute>(route: R, ...params: [RouteParamName<R>] extends [never] ? [] : [RouteParams<R>]): string {
  const values = (params[0] ?? {}) as Record<string, string>;
  return route.path.replace(/:([A-Za-z]+)/gu, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`routePath: missing parameter ${name}`);
    return encodeURIComponent(value);
  });
}
