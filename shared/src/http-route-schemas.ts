/**
 * The runtime schemas of every HTTP route: the server validates a route's path
 * parameters and JSON body with these before the domain sees anything. Kept
 * apart from http-routes.ts so the browser bundle, which needs only paths,
 * does not carry zod. The `satisfies` below ties each entry to the contract:
 * a route missing here, or a schema that differs from the one the contract
 * names, fails the type check.
 */
import type { z } from 'zod';
import type { HttpRouteName, HttpRoutes, RouteBodySchema, RouteParamName } from './http-routes.ts';
import {
  attachIntakeBodySchema,
  createSessionBodySchema,
  emptyBodySchema,
  loginBodySchema,
  participantParamsSchema,
  participantTokenBodySchema,
  sessionIdParamsSchema,
  setSealingKeyBodySchema,
  totpConfirmBodySchema,
} from './schemas.ts';

export interface RouteSchemas<N extends HttpRouteName> {
  params: [RouteParamName<HttpRoutes[N]>] extends [never] ? null : z.ZodType<Record<RouteParamName<HttpRoutes[N]>, string>>;
  body: RouteBodySchema<HttpRoutes[N]>;
}

export const HTTP_ROUTE_SCHEMAS = {
  login: { params: null, body: loginBodySchema },
  logout: { params: null, body: emptyBodySchema },
  me: { params: null, body: null },
  setUpTotp: { params: null, body: emptyBodySchema },
  confirmTotp: { params: null, body: totpConfirmBodySchema },
  getSealingKey: { params: null, body: null },
  setSealingKey: { params: null, body: setSealingKeyBodySchema },
  createSession: { params: null, body: createSessionBodySchema },
  listSessions: { params: null, body: null },
  getSession: { params: sessionIdParamsSchema, body: null },
  startSession: { params: sessionIdParamsSchema, body: emptyBodySchema },
  endSession: { params: sessionIdParamsSchema, body: emptyBodySchema },
  attachIntake: { params: sessionIdParamsSchema, body: attachIntakeBodySchema },
  reissueInvite: { params: participantParamsSchema, body: emptyBodySchema },
  joinToken: { params: null, body: participantTokenBodySchema },
  connectionCheck: { params: null, body: participantTokenBodySchema },
} as const satisfies { [N in HttpRouteName]: RouteSchemas<N> };
