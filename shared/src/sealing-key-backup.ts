/**
 * The therapist's sealing key pair: made in the console, its private key kept non-extractable in
 * that browser (IndexedDB), and copied off the device only as a backup file wrapped under a
 * passphrase the therapist chooses. The server never holds the private key or the backup.
 *
 * A non-extractable key cannot be exported later, so the one moment a backup can be made is its
 * creation: the pair is generated extractable, its PKCS #8 bytes are wrapped under the passphrase
 * (PBKDF2-SHA-256, 600,000 iterations, random 128-bit salt → AES-GCM-256) and imported back as a
 * non-extractable key; the extractable object and the bytes are dropped before the function
 * returns. Restoring imports the unwrapped bytes as non-extractable too.
 */
import { EnvelopeError } from './envelope-error.ts';
import { subtle, utf8, type Subtle } from './web-crypto.ts';
import { algorithmOf, fromBase64Url, toBase64Url, publicKeyId, PUBLIC_KEY_CHARS, KEY_CURVES, type CallCryptoKey, type CallKeyPair, type KeyCurve, type PublicKeyTag } from './key-exchange.ts';

export const SEALING_BACKUP_FORMAT = 'alcove-sealing-key-backup';
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; about half a second in a browser. */
export const SEALING_BACKUP_ITERATIONS = 600_000;
export const SEALING_PASSPHRASE_MIN_CHARS = 12;
export const SEALING_PASSPHRASE_MAX_CHARS = 256;
const SALT_BYTES = 16;
const IV_BYTES = 12;

export interface SealingKeyBackup {
  format: typeof SEALING_BACKUP_FORMAT;
  v: 1;
  publicKey: PublicKeyTag;
  createdAt: number;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  iv: string;
  /** The PKCS #8 private key, AES-GCM under the passphrase's key. */
  data: string;
}

const additionalData = (publicKey: PublicKeyTag, createdAt: number) => utf8(JSON.stringify([SEALING_BACKUP_FORMAT, 1, publicKeyId(publicKey), createdAt]));

async function passphraseKey(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CallCryptoKey> {
  const base = await subtle().importKey('raw', utf8(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

const importPrivate = (curve: KeyCurve, pkcs8: Uint8Array<ArrayBuffer>) => subtle().importKey('pkcs8', pkcs8, algorithmOf(curve), false, ['deriveBits']);

/** Makes the sealing pair and its passphrase-wrapped backup; the pair's private key is not extractable. */
export async function createSealingKey(curve: KeyCurve, passphrase: string, createdAt: number): Promise<{ pair: CallKeyPair; backup: SealingKeyBackup }> {
  if (passphrase.length < SEALING_PASSPHRASE_MIN_CHARS || passphrase.length > SEALING_PASSPHRASE_MAX_CHARS) throw new EnvelopeError('sealing-backup', 'weak-passphrase');
  const extractable = (await subtle().generateKey(algorithmOf(curve) as Parameters<Subtle['generateKey']>[0], true, ['deriveBits'])) as { publicKey: CallCryptoKey; privateKey: CallCryptoKey };
  const publicKey: PublicKeyTag = { curve, key: toBase64Url(new Uint8Array(await subtle().exportKey('raw', extractable.publicKey))) };
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', extractable.privateKey));
  try {
    const salt = globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const wrapping = await passphraseKey(passphrase, salt, SEALING_BACKUP_ITERATIONS);
    const data = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(publicKey, createdAt) }, wrapping, pkcs8));
    const privateKey = await importPrivate(curve, pkcs8);
    return {
      pair: { publicKey, privateKey },
      backup: {
        format: SEALING_BACKUP_FORMAT,
        v: 1,
        publicKey,
        createdAt,
        kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: SEALING_BACKUP_ITERATIONS, salt: toBase64Url(salt) },
        iv: toBase64Url(iv),
        data: toBase64Url(data),
      },
    };
  } finally {
    // Best effort: the bytes of the private key do not outlive this function in our own buffer.
    pkcs8.fill(0);
  }
}

const isBase64Url = (value: unknown, min: number, max: number): value is string => typeof value === 'string' && value.length >= min && value.length <= max && /^[A-Za-z0-9_-]+$/u.test(value);

/** A backup file's JSON, checked field by field (it may come from anywhere). */
export function parseSealingBackup(value: unknown): SealingKeyBackup {
  const b = value as Partial<SealingKeyBackup> | null;
  const kdf = b?.kdf as Partial<SealingKeyBackup['kdf']> | undefined;
  const curve = b?.publicKey?.curve;
  const ok =
    b !== null &&
    typeof b === 'object' &&
    b.format === SEALING_BACKUP_FORMAT &&
    b.v === 1 &&
    typeof b.createdAt === 'number' &&
    Number.isSafeInteger(b.createdAt) &&
    (KEY_CURVES as readonly unknown[]).includes(curve) &&
    isBase64Url(b.publicKey?.key, PUBLIC_KEY_CHARS[curve as KeyCurve], PUBLIC_KEY_CHARS[curve as KeyCurve]) &&
    kdf?.name === 'PBKDF2' &&
    kdf.hash === 'SHA-256' &&
    Number.isInteger(kdf.iterations) &&
    kdf.iterations! >= 100_000 &&
    kdf.iterations! <= 10_000_000 &&
    isBase64Url(kdf.salt, 22, 22) &&
    isBase64Url(b.iv, 16, 16) &&
    isBase64Url(b.data, 40, 400);
  if (!ok) throw new EnvelopeError('sealing-backup', 'malformed');
  return {
    format: SEALING_BACKUP_FORMAT,
    v: 1,
    publicKey: { curve: curve as KeyCurve, key: b.publicKey!.key },
    createdAt: b.createdAt!,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: kdf.iterations!, salt: kdf.salt! },
    iv: b.iv!,
    data: b.data!,
  };
}

/** Unwraps a backup under its passphrase into a non-extractable pair. */
export async function restoreSealingKey(backup: SealingKeyBackup, passphrase: string): Promise<CallKeyPair> {
  const wrapping = await passphraseKey(passphrase, fromBase64Url(backup.kdf.salt), backup.kdf.iterations);
  let pkcs8: Uint8Array<ArrayBuffer>;
  try {
    pkcs8 = new Uint8Array(
      await subtle().decrypt({ name: 'AES-GCM', iv: fromBase64Url(backup.iv), additionalData: additionalData(backup.publicKey, backup.createdAt) }, wrapping, fromBase64Url(backup.data)),
    );
  } catch {
    throw new EnvelopeError('sealing-backup', 'wrong-passphrase');
  }
  try {
    return { publicKey: backup.publicKey, privateKey: await importPrivate(backup.publicKey.curve, pkcs8) };
  } catch {
    throw new EnvelopeError('sealing-backup', 'malformed');
  } finally {
    pkcs8.fill(0);
  }
}
