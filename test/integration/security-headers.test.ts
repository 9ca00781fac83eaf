import { HTTP_ROUTES, SERVICE_ROUTES } from '@alcove/shared';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { request, callRoute } from '../support/api-client.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/u))
      .filter((parts) => parts[0])
      .map((parts) => [parts[0]!, parts.slice(1)]),
  );
}

describe('security headers', () => {
  let t: TestApp;
  let https: TestApp;
  before(async () => {
    t = await startTestApp();
    // Served over plain loopback HTTP here, but configured as an https deployment behind TLS.
    https = await startTestApp({ env: { PUBLIC_URL: 'https://alcove.example' }, receivesWebhooks: false });
  });
  after(async () => {
    await t.close();
    await https.close();
  });

  const paths = [SERVICE_ROUTES.health.path, HTTP_ROUTES.me.path, '/api/nope'];

  it('sends a strict Content-Security-Policy on every response', async () => {
    for (const path of paths) {
      const response = await request(t.origin, 'GET', path);
      const csp = directives(response.headers.get('content-security-policy') ?? '');
      expect(csp.get('script-src'), path).to.deep.equal(["'self'"]);
      expect(csp.get('object-src')).to.deep.equal(["'none'"]);
      expect(csp.get('base-uri')).to.deep.equal(["'none'"]);
      expect(csp.get('frame-ancestors')).to.deep.equal(["'none'"]);
      expect(csp.get('default-src')).to.deep.equal(["'self'"]);
      expect(csp.get('connect-src')).to.have.members(["'self'", t.config.livekit.url, t.config.livekit.url.replace(/^ws/u, 'http')]);
      for (const values of csp.values()) expect(values).to.not.include("'unsafe-inline'").and.not.include("'unsafe-eval'");
    }
  });

  it('sends no-referrer, nosniff, a same-origin opener policy and a camera/microphone-only Permissions-Policy', async () => {
    for (const path of paths) {
      const h = (await request(t.origin, 'GET', path)).headers;
      expect(h.get('referrer-policy'), path).to.equal('no-referrer');
      expect(h.get('x-content-type-options')).to.equal('nosniff');
      expect(h.get('cross-origin-opener-policy')).to.equal('same-origin');
      const permissions = h.get('permissions-policy') ?? '';
      expect(permissions).to.include('camera=(self)').and.include('microphone=(self)').and.include('display-capture=()');
      expect(h.get('x-powered-by')).to.equal(null);
    }
  });

  it('sends HSTS only when served over https', async () => {
    expect((await request(t.origin, 'GET', '/healthz')).headers.get('strict-transport-security')).to.equal(null);
    const hsts = (await request(https.origin, 'GET', '/healthz', { headers: { origin: 'https://alcove.example' } })).headers.get('strict-transport-security');
    expect(hsts).to.match(/max-age=\d{8}/u);
  });

  it('uses a Secure __Host- cookie when served over https', async () => {
    const account = await https.addTherapist();
    const response = await callRoute(https.origin, HTTP_ROUTES.login, {
      body: { email: account.email, password: account.password },
      headers: { origin: 'https://alcove.example' },
    });
    expect(response.status).to.equal(200);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).to.match(/^__Host-alcove_session=/u);
    expect(cookie).to.include('Secure').and.include('Path=/').and.not.include('Domain');
  });
});
