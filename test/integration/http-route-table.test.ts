/**
 * The HTTP contract and the server agree: every route of HTTP_ROUTES and SERVICE_ROUTES
 * (shared/src/http-routes.ts) is mounted by the real app, with its method, and the app
 * mounts no route the contract does not name. Read from Express's own router stack,
 * then proved from outside: no route of the contract answers "no such endpoint".
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTP_ROUTES, SERVICE_ROUTES } from '@alcove/shared';
import { callRoute } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** `METHOD path` of every route in an Express router, nested routers included. */
function mountedRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods).filter((method) => layer.route!.methods[method]);
      return paths.flatMap((path) => methods.map((method) => `${method.toUpperCase()} ${path}`));
    }
    return layer.handle.stack ? mountedRoutes(layer.handle.stack) : [];
  });
}

describe('the HTTP route table', () => {
  let t: TestApp;
  const staticRoot = mkdtempSync(join(tmpdir(), 'alcove-static-'));
  before(async () => {
    t = await startTestApp({ staticRoot, receivesWebhooks: false });
  });
  after(async () => {
    await t?.close();
    rmSync(staticRoot, { recursive: true, force: true });
  });

  const contract = [
    ...Object.values(HTTP_ROUTES).map((route) => `${route.method} ${route.path}`),
    `${SERVICE_ROUTES.health.method} ${SERVICE_ROUTES.health.path}`,
    `${SERVICE_ROUTES.ready.method} ${SERVICE_ROUTES.ready.path}`,
    `${SERVICE_ROUTES.livekitWebhook.method} ${SERVICE_ROUTES.livekitWebhook.path}`,
    ...SERVICE_ROUTES.appPages.paths.map((path) => `${SERVICE_ROUTES.appPages.method} ${path}`),
  ];

  it('mounts every route of the contract, and only those', () => {
    const router = (t.app.http as unknown as { router: { stack: Layer[] } }).router;
    const mounted = mountedRoutes(router.stack);
    expect(mounted.length).to.be.greaterThan(10);
    expect([...new Set(mounted)].sort()).to.deep.equal([...new Set(contract)].sort());
    expect(mounted.length, 'a route mounted twice').to.equal(new Set(mounted).size);
  });

  it('answers every route of the contract (an anonymous caller gets 401 or a validation error, never "no such endpoint")', async () => {
    for (const route of Object.values(HTTP_ROUTES)) {
      const response = await callRoute(t.origin, route, {
        params: { sessionId: 's_abcdefgh', participantId: 'p_abcdefgh' },
        body: route.method === 'POST' ? { unknownField: true } : undefined,
      });
      const label = `${route.method} ${route.path}`;
      expect(response.status, label).to.not.equal(404);
      expect(response.status, label).to.equal(route.access === 'therapist' ? 401 : 400);
    }
  });
});
