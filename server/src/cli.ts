/**
 * Operator CLI for therapist accounts.
 *   alcove therapist add --email E --name N [--password-stdin]
 *   alcove therapist list
 *   alcove therapist disable --email E | enable --email E
 *   alcove therapist reset-password --email E [--password-stdin]
 *   alcove therapist reset-2fa --email E
 *   alcove audit export [--since ISO-8601]      JSON lines, oldest first
 *   alcove doctor [--config-dir /etc/alcove]    checks a running deployment (server/src/operations/doctor)
 * The password is read from a hidden prompt, or from standard input for automation.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { ConfigError, loadConfig } from './config.ts';
import { AppError } from './app-error.ts';
import { describeForOperator } from './cli-messages.ts';
import { createLogger } from './observability/logger.ts';
import { connectRedis } from './adapters/redis/redis-client.ts';
import { createRedisKeys } from './adapters/redis/keys.ts';
import { createRedisTherapistStore } from './adapters/redis/therapist-store.ts';
import { createTherapistDirectory } from './therapists/therapist-directory.ts';
import { createRedisAuditTrail } from './adapters/redis/audit-stream.ts';
import { runDoctorCommand } from './operations/doctor/doctor-command.ts';

const USAGE = [
  'usage: alcove therapist <add|list|disable|enable|reset-password|reset-2fa> [--email E] [--name N] [--password-stdin] [--json]',
  '       alcove audit export [--since ISO-8601]',
  '       alcove doctor [--config-dir /etc/alcove] [--json]',
].join('\n');

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/u)[0] ?? '';
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(question)) write.call(rl, s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) return readPasswordFromStdin();
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw AppError.badRequest({ reason: 'passwords-differ' });
  return first;
}

async function run(argv: string[]): Promise<number> {
  // The doctor reads the rendered deployment files, not this process's environment.
  if (argv[0] === 'doctor') return runDoctorCommand(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      since: { type: 'string' },
    },
  });
  const [noun, verb] = positionals;
  if (!((noun === 'therapist' || noun === 'audit') && verb)) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const config = loadConfig(process.env);
  const logger = createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') });
  const redis = await connectRedis(config.redis, logger, 'cli');
  const keys = createRedisKeys(config.redis.prefix);
  const audit = createRedisAuditTrail({ redis, keys, logger, now: Date.now, retentionMs: config.audit.retentionMs });
  const directory = createTherapistDirectory({ therapists: createRedisTherapistStore(redis, keys), audit, now: Date.now });
  if (noun === 'audit') {
    try {
      if (verb !== 'export') {
        process.stderr.write(`${USAGE}\n`);
        return 64;
      }
      const sinceMs = values.since ? Date.parse(values.since) : 0;
      if (Number.isNaN(sinceMs)) throw AppError.badRequest({ reason: 'since-date' });
      for (const entry of await audit.list({ sinceMs })) process.stdout.write(JSON.stringify(entry) + '\n');
      return 0;
    } finally {
      await redis.close();
    }
  }
  const requireEmail = () => {
    if (!values.email) throw AppError.badRequest({ reason: 'email-required' });
    return values.email;
  };
  try {
    switch (verb) {
      case 'add': {
        const email = requireEmail();
        if (!values.name) throw AppError.badRequest({ reason: 'name-required' });
        const added = await directory.add({ email, displayName: values.name, password: await readPassword(values['password-stdin']) });
        process.stdout.write(`added therapist ${added.therapistId}\n`);
        return 0;
      }
      case 'list': {
        const list = await directory.list();
        if (values.json) process.stdout.write(JSON.stringify(list) + '\n');
        else for (const t of list) process.stdout.write(`${t.therapistId}\t${t.disabled ? 'disabled' : 'active'}\t${t.displayName}\n`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const result = await directory.setDisabled(requireEmail(), verb === 'disable');
        process.stdout.write(`${verb}d therapist ${result.therapistId}\n`);
        return 0;
      }
      case 'reset-2fa': {
        const result = await directory.resetTwoFactor(requireEmail());
        process.stdout.write(`two-factor authentication reset for therapist ${result.therapistId}\n`);
        return 0;
      }
      case 'reset-password': {
        const email = requireEmail();
        await directory.resetPassword(email, await readPassword(values['password-stdin']));
        process.stdout.write('password reset\n');
        return 0;
      }
      default:
        process.stderr.write(`${USAGE}\n`);
        return 64;
    }
  } finally {
    await redis.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AppError) process.stderr.write(`alcove: ${describeForOperator(error)}\n`);
    else if (error instanceof ConfigError) process.stderr.write(`alcove: ${error.message}\n`);
    else process.stderr.write(`alcove: failed (${error instanceof Error ? error.name : 'unknown error'})\n`);
    process.exit(error instanceof AppError && error.code === 'conflict' ? 3 : 1);
  },
);
