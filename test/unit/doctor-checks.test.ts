import { expect } from 'chai';
import type { CheckResult, DoctorFacts } from '../../server/src/operations/doctor/facts.ts';
import { DOCTOR_CHECKS } from '../../server/src/operations/doctor/checks.ts';
import { checkTls } from '../../server/src/operations/doctor/tls-check.ts';
import { checkSecurityHeaders } from '../../server/src/operations/doctor/security-headers-check.ts';
import { checkWebSocket } from '../../server/src/operations/doctor/websocket-check.ts';
import { checkLivekit } from '../../server/src/operations/doctor/livekit-check.ts';
import { checkWebhooks } from '../../server/src/operations/doctor/webhooks-check.ts';
import { checkRedisPersistence } from '../../server/src/operations/doctor/redis-persistence-check.ts';
import { checkClockSkew } from '../../server/src/operations/doctor/clock-skew-check.ts';
import { checkSecretStrength } from '../../server/src/operations/doctor/secret-strength-check.ts';
import { formatReport } from '../../server/src/operations/doctor/doctor-command.ts';
import { LOCAL_DEV_DEFAULTS } from '../../server/src/config.ts';

const NOW_MS = Date.parse('2026-12-01T12:00:00.000Z');

/** A deployment where everything is right; each test breaks one thing. */
function healthy(): DoctorFacts {
  return {
    settings: {
      publicUrl: 'https://video.practice.example',
      livekitUrl: 'wss://livekit.practice.example',
      livekitApiKey: 'APIabcdef123456',
      livekitApiSecret: 'q8Z-vW2rT5yU1iO9pA3sD6fG0hJ4kL7zX_cV',
      jwtSecret: 'Mn3Bv6Cx9Za2Sd5Fg8Hj1Kl4Qw7Er0Ty-Ui_',
      redisUrl: 'redis://alcove:Rt6Yu9Io2Pa5Sd8Fg1Hj4@127.0.0.1:6379',
      trustProxy: '1',
      turnDomain: 'turn.practice.example',
      turnTlsPort: 443,
      webhookUrl: 'http://127.0.0.1:8079/webhooks/livekit',
      appEnvMode: 0o100600,
      livekitWebhook: { apiKey: 'APIabcdef123456', urls: ['http://127.0.0.1:8079/webhooks/livekit'] },
    },
    app: {
      ok: true,
      status: 200,
      certDaysLeft: 80,
      localTimeMs: NOW_MS + 500,
      headers: {
        date: new Date(NOW_MS).toUTCString(),
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'content-security-policy': "default-src 'self'; script-src 'self'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
    },
    plainHttp: { ok: true, status: 308, location: 'https://video.practice.example/' },
    websocket: { ok: true, status: 101 },
    livekit: { ok: true, status: 200, certDaysLeft: 80, localTimeMs: NOW_MS, headers: {} },
    turnTls: { ok: true, certDaysLeft: 80 },
    webhook: { ok: true, status: 401 },
    redis: { ok: true, aofEnabled: true, rdbSavePoints: true, lastWriteOk: true },
  };
}

function only(results: CheckResult[], check: string): CheckResult {
  const found = results.filter((r) => r.check === check);
  expect(found, check).to.have.length(1);
  return found[0]!;
}

describe('alcove doctor', () => {
  it('passes every check on a healthy deployment', () => {
    const results = DOCTOR_CHECKS.flatMap((check) => check(healthy()));
    expect(results.filter((r) => r.status !== 'ok')).to.deep.equal([]);
    expect(formatReport(results)).to.contain('All checks passed.');
  });

  describe('TLS', () => {
    it('fails a PUBLIC_URL that is not https', () => {
      const facts = healthy();
      facts.settings.publicUrl = 'http://video.practice.example';
      expect(only(checkTls(facts), 'tls').status).to.equal('fail');
    });

    it('fails when the certificate is refused, naming the reason', () => {
      const facts = healthy();
      facts.app = { ok: false, error: 'CERT_HAS_EXPIRED' };
      const result = only(checkTls(facts), 'tls');
      expect(result.status).to.equal('fail');
      expect(result.message).to.contain('CERT_HAS_EXPIRED');
    });

    it('warns about a certificate that stopped renewing', () => {
      const facts = healthy();
      if (facts.app.ok) facts.app.certDaysLeft = 6;
      expect(only(checkTls(facts), 'tls').status).to.equal('warn');
    });

    it('fails when plain http serves the app instead of redirecting', () => {
      const facts = healthy();
      facts.plainHttp = { ok: true, status: 200, location: undefined };
      expect(only(checkTls(facts), 'http-redirect').status).to.equal('fail');
    });

    it('accepts plain http being refused outright', () => {
      const facts = healthy();
      facts.plainHttp = { ok: false, error: 'ECONNREFUSED' };
      expect(only(checkTls(facts), 'http-redirect').status).to.equal('ok');
    });
  });

  describe('security headers', () => {
    it('fails without HSTS', () => {
      const facts = healthy();
      if (facts.app.ok) delete facts.app.headers['strict-transport-security'];
      const result = only(checkSecurityHeaders(facts), 'security-headers');
      expect(result.status).to.equal('fail');
      expect(result.message).to.contain('Strict-Transport-Security');
    });

    it('fails when a proxy replaced the CSP and dropped nosniff', () => {
      const facts = healthy();
      if (facts.app.ok) {
        facts.app.headers['content-security-policy'] = "default-src *";
        delete facts.app.headers['x-content-type-options'];
      }
      const result = only(checkSecurityHeaders(facts), 'security-headers');
      expect(result.message).to.contain('Content-Security-Policy').and.to.contain('nosniff');
    });
  });

  it('fails when the WebSocket upgrade is not passed through', () => {
    const facts = healthy();
    facts.websocket = { ok: true, status: 400 };
    const result = only(checkWebSocket(facts), 'websocket');
    expect(result.status).to.equal('fail');
    expect(result.message).to.contain('400');
  });

  describe('LiveKit', () => {
    it('fails an unencrypted LIVEKIT_URL', () => {
      const facts = healthy();
      facts.settings.livekitUrl = 'ws://livekit.practice.example';
      expect(only(checkLivekit(facts), 'livekit').status).to.equal('fail');
    });

    it('fails when LiveKit reports stale statistics (406)', () => {
      const facts = healthy();
      if (facts.livekit.ok) facts.livekit.status = 406;
      expect(only(checkLivekit(facts), 'livekit').message).to.contain('406');
    });

    it('says LiveKit itself is down when Caddy answers 502 for it', () => {
      const facts = healthy();
      if (facts.livekit.ok) facts.livekit.status = 502;
      const result = only(checkLivekit(facts), 'livekit');
      expect(result.status).to.equal('fail');
      expect(result.message).to.contain('systemctl status alcove-livekit');
    });

    it('fails when TURN/TLS does not complete a handshake', () => {
      const facts = healthy();
      facts.turnTls = { ok: false, error: 'ECONNREFUSED' };
      const result = only(checkLivekit(facts), 'turn-tls');
      expect(result.status).to.equal('fail');
      expect(result.message).to.contain('turn.practice.example:443');
    });

    it('fails when no TURN name is configured', () => {
      const facts = healthy();
      facts.settings.turnDomain = undefined;
      expect(only(checkLivekit(facts), 'turn-tls').status).to.equal('fail');
    });
  });

  describe('webhooks', () => {
    it('fails when LiveKit sends none', () => {
      const facts = healthy();
      facts.settings.livekitWebhook = { apiKey: 'APIabcdef123456', urls: [] };
      expect(only(checkWebhooks(facts), 'webhooks').status).to.equal('fail');
    });

    it('fails when LiveKit signs with another key than the app verifies', () => {
      const facts = healthy();
      facts.settings.livekitWebhook = { apiKey: 'APIother', urls: ['http://127.0.0.1:8079/webhooks/livekit'] };
      expect(only(checkWebhooks(facts), 'webhooks').message).to.contain('different API key');
    });

    it('fails when the webhook address leads elsewhere (404) or nowhere', () => {
      const facts = healthy();
      facts.webhook = { ok: true, status: 404 };
      expect(only(checkWebhooks(facts), 'webhooks').status).to.equal('fail');
      facts.webhook = { ok: false, error: 'ECONNREFUSED' };
      expect(only(checkWebhooks(facts), 'webhooks').message).to.contain('ECONNREFUSED');
    });
  });

  describe('Redis persistence', () => {
    it('fails a Redis that keeps nothing on disk', () => {
      const facts = healthy();
      facts.redis = { ok: true, aofEnabled: false, rdbSavePoints: false, lastWriteOk: true };
      const result = only(checkRedisPersistence(facts), 'redis-persistence');
      expect(result.status).to.equal('fail');
      expect(result.message).to.contain('appendonly yes');
    });

    it('warns when only snapshots are kept', () => {
      const facts = healthy();
      facts.redis = { ok: true, aofEnabled: false, rdbSavePoints: true, lastWriteOk: true };
      expect(only(checkRedisPersistence(facts), 'redis-persistence').status).to.equal('warn');
    });

    it('fails when the last write to disk failed', () => {
      const facts = healthy();
      facts.redis = { ok: true, aofEnabled: true, rdbSavePoints: true, lastWriteOk: false };
      expect(only(checkRedisPersistence(facts), 'redis-persistence').status).to.equal('fail');
    });

    it('fails when Redis refuses the password', () => {
      const facts = healthy();
      facts.redis = { ok: false, error: 'WRONGPASS' };
      expect(only(checkRedisPersistence(facts), 'redis-persistence').message).to.contain('WRONGPASS');
    });
  });

  describe('clock', () => {
    it('fails a server clock more than 30 s off', () => {
      const facts = healthy();
      if (facts.app.ok) facts.app.localTimeMs = NOW_MS + 95_000;
      const result = only(checkClockSkew(facts), 'clock');
      expect(result.status).to.equal('fail');
      expect(result.message).to.contain('94.5 s');
    });

    it('warns about a few seconds of drift and accepts rounding', () => {
      const facts = healthy();
      if (facts.app.ok) facts.app.localTimeMs = NOW_MS + 9_000;
      expect(only(checkClockSkew(facts), 'clock').status).to.equal('warn');
      if (facts.app.ok) facts.app.localTimeMs = NOW_MS + 900;
      expect(only(checkClockSkew(facts), 'clock').status).to.equal('ok');
    });
  });

  describe('secrets', () => {
    it('fails the public local-development defaults', () => {
      const facts = healthy();
      facts.settings.jwtSecret = LOCAL_DEV_DEFAULTS.JWT_SECRET;
      const result = only(checkSecretStrength(facts), 'secrets');
      expect(result.status).to.equal('fail');
      expect(result.message).to.contain('JWT_SECRET is the public local-development default');
    });

    it('fails short or repetitive secrets without printing them', () => {
      const facts = healthy();
      facts.settings.livekitApiSecret = 'abab'.repeat(10);
      facts.settings.redisUrl = 'redis://127.0.0.1:6379';
      const result = only(checkSecretStrength(facts), 'secrets');
      expect(result.message).to.contain('LIVEKIT_API_SECRET is too repetitive').and.to.contain('Redis password in REDIS_URL is missing');
      expect(result.message).not.to.contain('abab');
    });

    it('fails a secrets file other users can read', () => {
      const facts = healthy();
      facts.settings.appEnvMode = 0o100644;
      expect(only(checkSecretStrength(facts), 'secrets').message).to.contain('mode 644');
    });
  });
});
