import { createHash, randomBytes } from 'node:crypto';
import { encodeBase32 } from './totp.ts';

export const RECOVERY_CODE_COUNT = 10;

/** Ten single-use codes like `k7q2m-x4z9a` (50 random bits each), shown once. */
export function createRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const code = encodeBase32(randomBytes(7)).slice(0, 10).toLowerCase();
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

/** Stored only as hashes; codes are random enough that a fast hash is sound. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.replace('-', '').toLowerCase()).digest('hex');
}
