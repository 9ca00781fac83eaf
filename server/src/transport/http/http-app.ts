import express, { type Express, type RequestHandler } from 'express';
import { AppError } from '../../app-error.ts';
import { HTTP_BODY_MAX_BYTES, SERVICE_ROUTES } from '@alcove/shared';
import type { Logger } from '../../observability/logger.ts';
import { logWhenAnswered } from './access-log.ts';
import { createErrorMiddleware, notFoundHandler } from './error-middleware.ts';
import { requireAllowedOrigin } from './origin-check.ts';
import { createSecurityHeaders, type SecurityHeaderWriter } from './security-headers.ts';
import type { Router } from 'express';
import type { TrustFunction } from './client-address.ts';

export interface HttpAppDeps {
  logger: Logger;
  allowedOrigins: readonly string[];
  securityHeaders: SecurityHeaderWriter;
  /** Which hops may report the client's address (see client-address.ts). */
  trustProxy: TrustFunction;
  /** Mounted before the JSON parser (raw-body routes). */
  rawRoutes: Router[];
  apiRoutes: Router[];
  /** Static browser app, mounted last. */
  staticRoot: string | null;
  isReady: () => Promise<boolean>;
  /** One debug line per request; off unless LOG_LEVEL=debug, so the hot path pays nothing for it. */
  accessLog: boolean;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** JSON-only bodies: a form post or text/plain body (a classic CSRF vehicle) is refused outright. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (BODY_METHODS.has(req.method) && hasBody && !req.is('application/json')) {
    return next(AppError.badRequest({ reason: 'json-only' }));
  }
  next();
};

/**
 * What every /api request goes through before its route, in this order: `Cache-Control: no-store`,
 * JSON-only bodies, the JSON parser. One router layer rather than three: each layer mounted
 * at '/api' costs a path match and a prefix trim and restore per request, on the token path too.
 */
function createApiPrelude(): RequestHandler {
  const parseJson = express.json({ limit: HTTP_BODY_MAX_BYTES, strict: true, type: 'application/json' });
  return (req, res, next) => {
    // First, so a refused body's answer is not stored either.
    res.setHeader('Cache-Control', 'no-store');
    requireJsonBody(req, res, (error?: unknown) => {
      if (error) return next(error);
      parseJson(req, res, next);
    });
  };
}

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.set('etag', false);

  app.use(createSecurityHeaders(deps.securityHeaders));

  if (deps.accessLog) {
    app.use((req, res, next) => {
      logWhenAnswered(deps.logger, req, res, () => req.route?.path ?? 'unmatched');
      next();
    });
  }

  app.get(SERVICE_ROUTES.health.path, (_req, res) => {
    res.json({ ok: true });
  });
  app.get(SERVICE_ROUTES.ready.path, async (_req, res) => {
    const ready = await deps.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ ok: ready });
  });

  app.use(requireAllowedOrigin(deps.allowedOrigins));
  for (const router of deps.rawRoutes) app.use(router);
  app.use('/api', createApiPrelude());
  for (const router of deps.apiRoutes) app.use(router);
  app.use('/api', notFoundHandler);

  if (deps.staticRoot) {
    const root = deps.staticRoot;
    app.use(express.static(root, { index: false, fallthrough: true, dotfiles: 'ignore' }));
    // Both pages are the same single-page app; the invite stays in the fragment, which never reaches here.
    app.get([...SERVICE_ROUTES.appPages.paths], (_req, res) => res.sendFile('index.html', { root }));
  }
  app.use(notFoundHandler);
  app.use(createErrorMiddleware(deps.logger));
  return app;
}
