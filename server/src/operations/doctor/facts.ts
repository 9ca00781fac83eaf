import type { RedisSentinelTarget } from '../../config.ts';

/**
 * What `alcove doctor` gathers from a running deployment (gather-facts.ts does the IO). Every
 * check is a pure function of these facts, so each failing set-up is a unit test, not a fixture.
 */

/** The deployment's own settings, read from the rendered files (app.env, doctor.env, livekit.yaml). */
export interface DoctorSettings {
  publicUrl: string | undefined;
  livekitUrl: string | undefined;
  livekitApiKey: string | undefined;
  livekitApiSecret: string | undefined;
  jwtSecret: string | undefined;
  redisUrl: string | undefined;
  /** REDIS_SENTINELS and its companions, when the app reaches Redis through Sentinel. */
  redisSentinel?: RedisSentinelTarget | null;
  trustProxy: string | undefined;
  turnDomain: string | undefined;
  turnTlsPort: number | undefined;
  webhookUrl: string | undefined;
  /** File mode of app.env (it holds every secret); undefined when unknown. */
  appEnvMode: number | undefined;
  /** webhook section of livekit.yaml; null when the file could not be read. */
  livekitWebhook: { apiKey: string | undefined; urls: string[] } | null;
}

export type Probe<T> = ({ ok: true } & T) | { ok: false; error: string };

export interface HttpsFacts {
  status: number;
  headers: Record<string, string>;
  /** Days until the certificate expires. */
  certDaysLeft: number;
  /** Local clock (ms) halfway between sending the request and receiving the headers. */
  localTimeMs: number;
}

export interface DoctorFacts {
  settings: DoctorSettings;
  app: Probe<HttpsFacts>;
  /** A plain-http GET of the app's name. */
  plainHttp: Probe<{ status: number; location: string | undefined }>;
  /** A WebSocket upgrade of /socket.io/ with the app's own Origin. */
  websocket: Probe<{ status: number }>;
  livekit: Probe<HttpsFacts>;
  /** A TLS handshake with the TURN name on its port (certificate checked for that name). */
  turnTls: Probe<{ certDaysLeft: number }>;
  /** An unsigned POST to the webhook URL: the app must answer 401, proving it is there and verifying. */
  webhook: Probe<{ status: number }>;
  redis: Probe<{ aofEnabled: boolean; rdbSavePoints: boolean; lastWriteOk: boolean }>;
}

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  /** Plain words for the practice's IT person: what is wrong and what to do. */
  message: string;
}

export type DoctorCheck = (facts: DoctorFacts) => CheckResult[];
