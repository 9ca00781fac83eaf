/**
 * The whole Alcove app (Express + Socket.io + Redis streams adapter + LiveKit),
 * started by bench/run.ts as its own process so that its RSS and CPU time are
 * the server's alone. Configured through the environment, like production.
 */
import { loadConfig } from '../server/src/config.ts';
import { createApp } from '../server/src/app.ts';
import { createLogger } from '../server/src/observability/logger.ts';
import { serveDriver } from './child-runtime.ts';

const config = loadConfig(process.env);
// Production's logger, writing to stdout (the driver sends it to a file).
const logger = createLogger({ level: config.logLevel });
const app = await createApp(config, { logger, staticRoot: null });
const port = await app.listen(config.port, config.host);
serveDriver(port, () => app.close());
