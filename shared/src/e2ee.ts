/** End-to-end encryption facts shared by server and browser. Runs on WebCrypto (browsers and Node ≥ 20). */

/** Size of the browser key ring (livekit-client's default); key indices wrap around it. */
export const E2EE_KEYRING_SIZE = 16;

/**
 * A short code derived from the session key that participants can read aloud
 * to each other: if everyone sees the same code, everyone holds the same key.
 * Formatted as two groups of four digits.
 */
export async function deriveVerificationCode(key: string): Promise<string> {
  const data = new TextEncoder().encode(`alcove-verification-v1:${key}`);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data));
  const value = (((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0) % 100_000_000;
  const digits = value.toString().padStart(8, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}
