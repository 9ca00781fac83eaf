/**
 * Starts the whole Alcove app (real Redis, real LiveKit) on a free port with a
 * random Redis key prefix, and collects its log lines for assertions.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { createApp, type App } from '../../server/src/app.ts';
import { createLogger } from '../../server/src/observability/logger.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { createRedisTherapistStore } from '../../server/src/adapters/redis/therapist-store.ts';
import { createTherapistDirectory } from '../../server/src/therapists/therapist-directory.ts';
import { freeTcpPort } from './free-port.ts';
import { livekitStack } from './livekit-stack.ts';
import { TEST_REDIS_URL } from './stack-hooks.ts';

export interface TestApp {
  app: App;
  config: Readonly<Config>;
  origin: string;
  logs: string[];
  /** Adds a therapist account and returns its credentials. */
  addTherapist(name?: string): Promise<{ email: string; password: string; therapistId: string; displayName: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Share a prefix to run several instances on one Redis namespace. */
  prefix?: string;
  /** Register this app as the target of LiveKit's webhooks (default true). */
  receivesWebhooks?: boolean;
  redisUrl?: string;
  /** Folder of the built browser app to serve (e.g. client/dist); none by default. */
  staticRoot?: string | null;
}

export function randomPrefix(): string {
  return `alcove-test-${randomBytes(6).toString('hex')}:`;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const livekit = await livekitStack();
  const port = await freeTcpPort();
  const origin = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    ALCOVE_PROFILE: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: origin,
    // A Sentinel group (REDIS_SENTINELS in `env`) replaces the URL: the two are exclusive.
    ...(options.env?.REDIS_SENTINELS ? {} : { REDIS_URL: options.redisUrl ?? TEST_REDIS_URL }),
    REDIS_PREFIX: options.prefix ?? randomPrefix(),
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
    JWT_SECRET: 'test-jwt-secret-0123456789abcdef-0123456789',
    LOG_LEVEL: 'debug',
    // The machine's test Redis keeps nothing on disk on purpose; production refusing that is
    // proved in redis-persistence.test.ts.
    REDIS_REQUIRE_PERSISTENCE: 'false',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const app = await createApp(config, { logger, staticRoot: options.staticRoot ?? null });
  await app.listen(port, '127.0.0.1');
  if (options.receivesWebhooks !== false) livekit.setWebhookTarget(origin);
  const directory = createTherapistDirectory({
    therapists: createRedisTherapistStore(app.redis, createRedisKeys(config.redis.prefix)),
    audit: app.audit,
    now: Date.now,
  });
  let closed = false;
  return {
    app,
    config,
    origin,
    logs,
    async addTherapist(name = 'Dr. Test Therapist') {
      const email = `therapist-${randomBytes(4).toString('hex')}@example.test`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const added = await directory.add({ email, displayName: name, password });
      return { email, password, therapistId: added.therapistId, displayName: added.displayName };
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}
