import { expect } from 'chai';
import { ConfigError, loadConfig, LOCAL_DEV_DEFAULTS } from '../../server/src/config.ts';

const production = {
  PUBLIC_URL: 'https://alcove.example',
  LIVEKIT_API_KEY: 'key',
  LIVEKIT_API_SECRET: 's'.repeat(40),
  JWT_SECRET: 'j'.repeat(40),
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('gives secrets no default outside the local profile', () => {
    expect(errorOf({}).variables).to.have.members(['LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'JWT_SECRET', 'PUBLIC_URL']);
  });

  it('runs the local profile with embedded dev defaults', () => {
    const config = loadConfig({ ALCOVE_PROFILE: 'local' });
    expect(config.livekit.apiSecret).to.equal(LOCAL_DEV_DEFAULTS.LIVEKIT_API_SECRET);
    expect(config.publicUrl).to.equal('http://127.0.0.1:8080');
    expect(config.isSecure).to.equal(false);
  });

  it('refuses the dev secrets in production', () => {
    expect(errorOf({ ...production, JWT_SECRET: LOCAL_DEV_DEFAULTS.JWT_SECRET }).variables).to.deep.equal(['JWT_SECRET']);
  });

  it('names every bad variable and never its value', () => {
    const error = errorOf({ ...production, PORT: 'eighty', LIVEKIT_TOKEN_TTL_SECONDS: '3600', JWT_SECRET: 'short-secret-value' });
    expect(error.variables).to.have.members(['PORT', 'LIVEKIT_TOKEN_TTL_SECONDS', 'JWT_SECRET']);
    expect(error.message).to.not.include('short-secret-value').and.not.include('eighty');
  });

  it('caps the media token lifetime at 10 minutes and the login at 12 hours', () => {
    expect(errorOf({ ...production, LIVEKIT_TOKEN_TTL_SECONDS: '601' }).variables).to.deep.equal(['LIVEKIT_TOKEN_TTL_SECONDS']);
    expect(errorOf({ ...production, AUTH_ABSOLUTE_HOURS: '13' }).variables).to.deep.equal(['AUTH_ABSOLUTE_HOURS']);
    const config = loadConfig(production);
    expect(config.livekit.tokenTtlSeconds).to.equal(120);
    expect(config.auth.absoluteTtlSeconds).to.equal(12 * 3600);
    expect(config.isSecure).to.equal(true);
    expect(Object.isFrozen(config)).to.equal(true);
  });
  it('trusts a hop count or named subnets behind proxies, never everything', () => {
    expect(loadConfig(production).trustProxy).to.equal(false);
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).trustProxy).to.deep.equal({ hops: 1 });
    expect(loadConfig({ ...production, TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 198.18.0.1' }).trustProxy).to.deep.equal({
      subnets: ['loopback', '10.0.0.0/8', 'fd00::/8', '198.18.0.1'],
    });
    for (const bad of ['true', 'yes', '11', '10.0.0.0/33', 'example.org', '1.2.3.4/8/8', '']) {
      expect(errorOf({ ...production, TRUST_PROXY: bad }).variables, bad).to.deep.equal(['TRUST_PROXY']);
    }
  });

  it('serves no metrics unless METRICS_PORT is set, and then on loopback by default', () => {
    expect(loadConfig(production).metrics).to.equal(null);
    expect(loadConfig({ ...production, METRICS_PORT: '9464' }).metrics).to.deep.equal({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ ...production, METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics).to.deep.equal({ host: '10.0.0.5', port: 9464 });
  });

  it('takes METRICS_PORT=+N as the app port plus N, so one env file serves every instance', () => {
    expect(loadConfig({ ...production, PORT: '8081', METRICS_PORT: '+10000' }).metrics?.port).to.equal(18081);
    expect(loadConfig({ ...production, PORT: '8082', METRICS_PORT: '+10000' }).metrics?.port).to.equal(18082);
  });

  it('names METRICS_PORT when it is no port or the app port itself', () => {
    for (const bad of ['metrics', '70000', '+60000', '8080', '+0', '-1']) {
      expect(errorOf({ ...production, PORT: '8080', METRICS_PORT: bad }).variables, bad).to.deep.equal(['METRICS_PORT']);
    }
  });

  it('reaches Redis through Sentinel when REDIS_SENTINELS names the sentinels and the primary', () => {
    const config = loadConfig({
      ...production,
      REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379,[fd00::3]:26380',
      REDIS_SENTINEL_NAME: 'alcove',
      REDIS_USERNAME: 'alcove',
      REDIS_PASSWORD: 'node-password',
      REDIS_SENTINEL_PASSWORD: 'sentinel-password',
    });
    expect(config.redis.sentinel).to.deep.equal({
      name: 'alcove',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: 'fd00::3', port: 26380 },
      ],
      username: 'alcove',
      password: 'node-password',
      sentinelUsername: undefined,
      sentinelPassword: 'sentinel-password',
    });
    expect(loadConfig(production).redis.sentinel).to.equal(null);
  });

  it('refuses Sentinel settings that are incomplete, malformed, or beside a REDIS_URL', () => {
    expect(errorOf({ ...production, REDIS_SENTINELS: '10.0.0.1:26379' }).variables).to.deep.equal(['REDIS_SENTINEL_NAME']);
    expect(errorOf({ ...production, REDIS_SENTINELS: '10.0.0.1', REDIS_SENTINEL_NAME: 'alcove' }).variables).to.deep.equal(['REDIS_SENTINELS']);
    expect(errorOf({ ...production, REDIS_SENTINELS: '10.0.0.1:99999', REDIS_SENTINEL_NAME: 'alcove' }).variables).to.deep.equal(['REDIS_SENTINELS']);
    expect(errorOf({ ...production, REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'alcove', REDIS_URL: 'redis://10.0.0.9:6379' }).variables).to.have.members([
      'REDIS_URL',
      'REDIS_SENTINELS',
    ]);
    // Without sentinels, a user and password belong in REDIS_URL: set apart they would be ignored.
    const stray = errorOf({ ...production, REDIS_PASSWORD: 'never-printed-password', REDIS_SENTINEL_NAME: 'alcove' });
    expect(stray.variables).to.have.members(['REDIS_PASSWORD', 'REDIS_SENTINEL_NAME']);
    expect(stray.message).to.not.include('never-printed-password');
  });
});
