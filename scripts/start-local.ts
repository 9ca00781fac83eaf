/**
 * The whole stack on one machine with safe embedded defaults (ALCOVE_PROFILE=local):
 * LiveKit (loopback only) + the app, against the local Redis; creates a demo
 * therapist and prints the URL and its login. Ctrl-C stops everything.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, LOCAL_DEV_DEFAULTS } from '../server/src/config.ts';
import { createApp } from '../server/src/app.ts';
import { createLogger } from '../server/src/observability/logger.ts';
import { createRedisKeys } from '../server/src/adapters/redis/keys.ts';
import { createRedisTherapistStore } from '../server/src/adapters/redis/therapist-store.ts';
import { createTherapistDirectory } from '../server/src/therapists/therapist-directory.ts';
import { AppError } from '../server/src/app-error.ts';
import { spawnLivekit, waitForLivekit } from './livekit.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO_THERAPIST = { email: 'demo@alcove.local', displayName: 'Demo Therapist', password: 'alcove-demo-password' };
const LIVEKIT_PORT = 7880;
const LIVEKIT_UDP_PORT = 7882;

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    ALCOVE_PROFILE: 'local',
    LIVEKIT_URL: process.env.LIVEKIT_URL ?? `ws://127.0.0.1:${LIVEKIT_PORT}`,
  });
  const logger = createLogger({ level: config.logLevel });

  const livekit = spawnLivekit(
    {
      port: LIVEKIT_PORT,
      udpPort: LIVEKIT_UDP_PORT,
      apiKey: config.livekit.apiKey,
      apiSecret: config.livekit.apiSecret,
      webhookUrl: `http://127.0.0.1:${config.port}/webhooks/livekit`,
      workDir: join(ROOT, '.local/livekit'),
    },
    'inherit',
  );
  const stopLivekit = () => {
    if (livekit.exitCode === null) livekit.kill('SIGTERM');
  };
  process.on('exit', stopLivekit);
  await waitForLivekit(LIVEKIT_PORT);

  const app = await createApp(config, { logger });
  const directory = createTherapistDirectory({ therapists: createRedisTherapistStore(app.redis, createRedisKeys(config.redis.prefix)), audit: app.audit, now: Date.now });
  try {
    await directory.add(DEMO_THERAPIST);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'conflict')) throw error;
  }
  await app.listen();

  process.stdout.write(
    [
      '',
      `  Alcove is running (local profile): ${config.publicUrl}`,
      `  Demo therapist: ${DEMO_THERAPIST.email} / ${DEMO_THERAPIST.password}`,
      `  LiveKit: ws://127.0.0.1:${LIVEKIT_PORT} (loopback only)   Redis: ${config.redis.url}`,
      '  Ctrl-C stops the stack.',
      '',
    ].join('\n') + '\n',
  );

  const stop = async () => {
    await app.close();
    stopLivekit();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  livekit.on('exit', (code) => {
    logger.error('livekit exited', { code: String(code) });
    void app.close().then(() => process.exit(1));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`start-local: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
