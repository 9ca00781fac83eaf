import { expect } from 'chai';
import { decodeBase32, encodeBase32, totpAt, verifyTotp, stepAt } from '../../server/src/auth/totp.ts';
import { createRecoveryCodes, hashRecoveryCode } from '../../server/src/auth/recovery-codes.ts';

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890"; the 8-digit codes truncated to our 6.
const RFC_SECRET = encodeBase32(Buffer.from('12345678901234567890'));
const RFC_VECTORS: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];

describe('TOTP (RFC 6238)', () => {
  it('round-trips base32', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 7]);
    expect(decodeBase32(encodeBase32(bytes))).to.deep.equal(bytes);
    expect(RFC_SECRET).to.equal('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  for (const [seconds, code] of RFC_VECTORS) {
    it(`matches the RFC test vector at T=${seconds}`, () => {
      expect(totpAt(RFC_SECRET, stepAt(seconds * 1000))).to.equal(code);
    });
  }

  it('accepts one step of clock drift either way, and nothing further', () => {
    const now = 1234567890 * 1000;
    const step = stepAt(now);
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step - 1), now)).to.equal(step - 1);
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step + 1), now)).to.equal(step + 1);
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step - 2), now)).to.equal(null);
    expect(verifyTotp(RFC_SECRET, '000000', now)).to.equal(totpAt(RFC_SECRET, step) === '000000' ? step : null);
  });

  it('makes ten distinct recovery codes, hashed independent of the dash and case', () => {
    const codes = createRecoveryCodes();
    expect(new Set(codes).size).to.equal(10);
    for (const code of codes) expect(code).to.match(/^[a-z2-7]{5}-[a-z2-7]{5}$/u);
    expect(hashRecoveryCode(codes[0]!)).to.equal(hashRecoveryCode(codes[0]!.replace('-', '').toUpperCase()));
  });
});
