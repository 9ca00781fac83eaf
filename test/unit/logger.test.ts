import { expect } from 'chai';
import { createLogger, redact } from '../../server/src/observability/logger.ts';

describe('structured logger', () => {
  it('drops fields that are not on the allow-list', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (l) => lines.push(l) });
    logger.info('checked in', { sessionId: 's_1', displayName: 'Alex', email: 'alex@example.test' } as never);
    const line = JSON.parse(lines[0]!);
    expect(line).to.include({ msg: 'checked in', sessionId: 's_1', level: 'info' });
    expect(line).to.not.have.property('displayName');
    expect(line).to.not.have.property('email');
  });

  it('redacts values that look like tokens, secrets or emails even in allowed fields', () => {
    const jwtLike = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const secret = 'Zk3q0x9aJm4Lr2Vt8Yp1Wc6Nb5Hd7Gf0Ks3Qe9Ui2Oa';
    expect(redact(`token ${jwtLike}`)).to.equal('token [redacted]');
    expect(redact(`invite ${secret}`)).to.equal('invite [redacted]');
    expect(redact('mail alex@example.test')).to.equal('mail [redacted]');
    expect(redact('p_abcdefghijklmnopqrstuv')).to.equal('p_abcdefghijklmnopqrstuv');
  });

  it('always writes security events, whatever the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', write: (l) => lines.push(l) });
    logger.info('ignored');
    logger.security('recording attempt blocked', { event: 'security.egress-blocked' });
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!)).to.include({ security: true, event: 'security.egress-blocked' });
  });
});
