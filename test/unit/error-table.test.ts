/**
 * Errors by code: one table (server/src/app-error.ts) gives every shared code its HTTP status
 * and its one safe English text; docs/api.md follows it row by row; the adapters classify their
 * own outages, and anything else becomes `internal` without its foreign text.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ClientClosedError, ClientOfflineError, ErrorReply, SocketClosedUnexpectedlyError } from 'redis';
import { ERROR_CODES, type ErrorCode } from '@alcove/shared';
import { AppError, ERROR_TABLE, toAppError } from '../../server/src/app-error.ts';
import { classifyRedisFailure } from '../../server/src/adapters/redis/redis-failures.ts';
import { describeForOperator } from '../../server/src/cli-messages.ts';

const API_DOC = fileURLToPath(new URL('../../docs/api.md', import.meta.url));

/** The rows of docs/api.md's error table: code → [status, message]. */
function documentedErrors(markdown: string): Map<string, [number, string]> {
  const rows = new Map<string, [number, string]>();
  for (const [, code, status, message] of markdown.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| .* \| ([^|]+) \|$/gmu)) {
    rows.set(code!, [Number(status), message!.trim()]);
  }
  return rows;
}

describe('errors by code', () => {
  it('gives every shared code one row: a 4xx or 5xx status and a short, plain sentence', () => {
    expect(Object.keys(ERROR_TABLE).sort()).to.deep.equal([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const { status, message } = ERROR_TABLE[code];
      expect(status, code).to.be.within(400, 599);
      expect(message, code).to.match(/^[A-Z].{4,120}\.$/u);
    }
  });

  it('has docs/api.md list each code with the table’s status and text, and nothing else', () => {
    const documented = documentedErrors(readFileSync(API_DOC, 'utf8'));
    expect([...documented.keys()].sort()).to.deep.equal([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(documented.get(code), code).to.deep.equal([ERROR_TABLE[code].status, ERROR_TABLE[code].message]);
  });

  it('reads a table row that disagrees as a difference (the doc check can fail)', () => {
    const documented = documentedErrors('| `conflict` | 400 | when | Another text. |\n| `made_up` | 418 | when | Teapot. |');
    expect(documented.get('conflict')).to.not.deep.equal([ERROR_TABLE.conflict.status, ERROR_TABLE.conflict.message]);
    expect([...documented.keys()]).to.include('made_up');
  });

  it('takes status and message from the table, whatever the details', () => {
    const error = AppError.conflict({ reason: 'not-waiting' });
    expect(error.status).to.equal(409);
    expect(error.toBody()).to.deep.equal({ code: 'conflict', message: ERROR_TABLE.conflict.message, details: { reason: 'not-waiting' } });
    expect(AppError.rateLimited(7).toBody().details).to.deep.equal({ retryAfterSeconds: 7 });
  });

  it('turns a foreign error into internal without its text, and keeps an AppError as it is', () => {
    const foreign = toAppError(new Error('connect ECONNREFUSED 10.0.0.7:6379 for alice@example.org'));
    expect(foreign.toBody()).to.deep.equal({ code: 'internal', message: ERROR_TABLE.internal.message });
    const own = AppError.sessionEnded();
    expect(toAppError(own)).to.equal(own);
  });

  it('lets the Redis adapter classify outages as service_unavailable and pass Redis’s own answers through', () => {
    // node-redis's own error classes, as its client raises them while Redis is down.
    const offline = new ClientOfflineError();
    const closed = new ClientClosedError();
    const dropped = new SocketClosedUnexpectedlyError();
    const timeout = Object.assign(new Error('Redis did not answer within 1500 ms'), { name: 'TimeoutError' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    for (const error of [offline, closed, dropped, timeout, refused]) {
      const classified = classifyRedisFailure(error);
      expect(classified).to.be.instanceOf(AppError);
      expect((classified as AppError).code).to.equal('service_unavailable' satisfies ErrorCode);
      expect((classified as AppError).cause).to.equal(error);
    }
    const noScript = new ErrorReply('NOSCRIPT No matching script. Please use EVAL.');
    expect(classifyRedisFailure(noScript)).to.equal(noScript);
  });

  it('tells an operator the reason in words, and falls back to the table', () => {
    expect(describeForOperator(AppError.badRequest({ reason: 'password-length', minChars: 12, maxChars: 128 }))).to.equal('The password must be 12–128 characters.');
    expect(describeForOperator(AppError.conflict({ reason: 'email-taken' }))).to.equal('A therapist with that email already exists.');
    expect(describeForOperator(AppError.unauthorized())).to.equal(ERROR_TABLE.unauthorized.message);
  });
});
