import { ConfigError, loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { createLogger } from './observability/logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`alcove: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection', { errorName: reason instanceof Error ? reason.name : typeof reason });
  });
  // Crash-only: state lives in Redis, so exiting is safe and a supervisor restarts us. The line
  // is structured like every other (no stack with absolute paths, no message from outside).
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception, exiting', { event: 'server.crashed', errorName: error.name, code: String((error as { code?: unknown }).code ?? '') || undefined });
    process.exit(70);
  });

  let app;
  try {
    app = await createApp(config, { logger });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`alcove: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const port = await app.listen();
  logger.info('alcove listening', { port, url: config.publicUrl, event: 'server.started' });

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('alcove stopping', { reason });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`alcove: failed to start (${error instanceof Error ? error.name : 'unknown error'})\n`);
  process.exit(1);
});
