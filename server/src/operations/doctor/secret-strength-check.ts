import { LOCAL_DEV_DEFAULTS } from '../../config.ts';
import type { CheckResult, DoctorFacts } from './facts.ts';

export const MIN_SECRET_CHARS = 32;
export const MIN_REDIS_PASSWORD_CHARS = 16;
/** A generated secret of 32+ characters uses far more distinct characters than this; a typed phrase or a repeated pattern does not. */
const MIN_DISTINCT_CHARS = 12;

function weakness(value: string | undefined, minChars: number): string | null {
  if (!value) return 'missing';
  if ((Object.values(LOCAL_DEV_DEFAULTS) as string[]).includes(value)) return 'the public local-development default';
  if (value.length < minChars) return `only ${value.length} characters (at least ${minChars})`;
  if (new Set(value).size < MIN_DISTINCT_CHARS) return 'too repetitive to be random';
  return null;
}

function redisPassword(redisUrl: string | undefined): string | undefined {
  try {
    return redisUrl ? decodeURIComponent(new URL(redisUrl).password) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** Secrets too weak to resist guessing, and a secrets file others can read. */
export function checkSecretStrength(facts: DoctorFacts): CheckResult[] {
  const { settings } = facts;
  const problems: string[] = [];
  const candidates: [string, string | undefined, number][] = [
    ['JWT_SECRET', settings.jwtSecret, MIN_SECRET_CHARS],
    ['LIVEKIT_API_SECRET', settings.livekitApiSecret, MIN_SECRET_CHARS],
    settings.redisSentinel
      ? ['REDIS_PASSWORD', settings.redisSentinel.password, MIN_REDIS_PASSWORD_CHARS]
      : ['the Redis password in REDIS_URL', redisPassword(settings.redisUrl), MIN_REDIS_PASSWORD_CHARS],
  ];
  for (const [name, value, minChars] of candidates) {
    const why = weakness(value, minChars);
    if (why) problems.push(`${name} is ${why}`);
  }
  if (settings.appEnvMode !== undefined && (settings.appEnvMode & 0o077) !== 0) {
    problems.push(`app.env can be read by other users (mode ${(settings.appEnvMode & 0o777).toString(8)}; chmod 600 it)`);
  }
  if (problems.length === 0) return [{ check: 'secrets', status: 'ok', message: 'Secrets are long and random, and readable only by their owner.' }];
  return [{ check: 'secrets', status: 'fail', message: `${problems.join('; ')}. Let scripts/production/render.ts generate them (delete the weak line from secrets.env and render again; changing JWT_SECRET signs everyone out).` }];
}
