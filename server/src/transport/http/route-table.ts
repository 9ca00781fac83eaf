/**
 * Mounts the HTTP contract (shared/src/http-routes.ts): every route, its access
 * rule, its parameter and body schemas, and the handler it maps to. The
 * handlers come as one table typed by route name, so a route without a handler
 * fails the type check; test/integration/http-route-table.test.ts walks the
 * real app's router to prove each route is mounted and nothing else is.
 */
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { HTTP_ROUTE_SCHEMAS, HTTP_ROUTES, type HttpRouteName, type HttpRoutes, type RouteResponse } from '@alcove/shared';
import type { LoginService } from '../../auth/login-service.ts';
import { requireTherapist } from './require-therapist.ts';
import { parseInput } from './validate.ts';

type Schemas<N extends HttpRouteName> = (typeof HTTP_ROUTE_SCHEMAS)[N];
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<N extends HttpRouteName> {
  params: Parsed<Schemas<N>['params']>;
  body: Parsed<Schemas<N>['body']>;
  /** For headers (the login cookie) and `therapistOf(req)` on therapist routes. */
  req: Request;
  res: Response;
}

export type RouteHandler<N extends HttpRouteName> = (input: RouteInput<N>) => Promise<RouteResponse<HttpRoutes[N]>>;
export type RouteHandlers = { [N in HttpRouteName]: RouteHandler<N> };

export function mountRoutes(handlers: RouteHandlers, deps: { login: LoginService; isSecure: boolean }): Router {
  const router = Router();
  const authenticate = requireTherapist(deps.login, deps.isSecure);
  for (const name of Object.keys(HTTP_ROUTES) as HttpRouteName[]) {
    const route = HTTP_ROUTES[name];
    const schemas = HTTP_ROUTE_SCHEMAS[name] as { params: z.ZodType | null; body: z.ZodType | null };
    const handler = handlers[name] as (input: { params: unknown; body: unknown; req: Request; res: Response }) => Promise<unknown>;
    const guards = route.access === 'therapist' ? [authenticate] : [];
    const method = route.method === 'GET' ? 'get' : 'post';
    // Authentication first, then the path, then the body: an anonymous caller learns only 401.
    router[method](route.path, ...guards, async (req: Request, res: Response) => {
      const params = schemas.params ? parseInput(schemas.params, req.params) : undefined;
      const body = schemas.body ? parseInput(schemas.body, req.body) : undefined;
      const result = await handler({ params, body, req, res });
      if (route.status === 204) res.status(204).end();
      else res.status(route.status).json(result);
    });
  }
  return router;
}
