/**
 * Structured JSON logger with allow-listed fields. Anything not on the list is
 * dropped, so a display name, email, invite secret or token can only reach a
 * log line if someone adds its field name here. A redaction backstop blanks
 * string values that look like secrets anyway.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const LOG_FIELDS = [
  'sessionId',
  'participantId',
  'therapistId',
  'roomName',
  'webhookEvent',
  'webhookId',
  'egressId',
  'socketRole',
  'event',
  'code',
  'status',
  'method',
  'route',
  'durationMs',
  'count',
  'reason',
  'errorName',
  'port',
  'url',
  'instanceId',
] as const;
export type LogField = (typeof LOG_FIELDS)[number];
export type LogFields = Partial<Record<LogField, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A security event (e.g. recording blocked); always written, at warn level. */
  security(msg: string, fields?: LogFields): void;
}

const ALLOWED = new Set<string>(LOG_FIELDS);
// JWTs, long base64url runs (invite secrets, keys), emails.
const SECRET_LOOKING = [
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/gu,
  /[A-Za-z0-9_-]{40,}/gu,
  /[^\s@]+@[^\s@]+\.[^\s@]+/gu,
];

export function redact(value: string): string {
  let out = value;
  for (const pattern of SECRET_LOOKING) out = out.replace(pattern, '[redacted]');
  return out;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a collector. */
  write?: (line: string) => void;
  base?: LogFields;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const minRank = LEVEL_RANK[options.level];

  function emit(level: LogLevel, msg: string, fields: LogFields | undefined, security = false): void {
    if (!security && LEVEL_RANK[level] < minRank) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg: redact(msg) };
    if (security) line.security = true;
    for (const source of [options.base, fields]) {
      if (!source) continue;
      for (const [key, value] of Object.entries(source)) {
        if (!ALLOWED.has(key) || value === undefined) continue;
        line[key] = typeof value === 'string' ? redact(value) : value;
      }
    }
    write(JSON.stringify(line));
  }

  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    security: (msg, fields) => emit('warn', msg, fields, true),
  };
}
