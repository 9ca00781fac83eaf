/**
 * The media key travels between browsers only, wrapped: the therapist's console makes it and
 * wraps it to each admitted person's public key; our server relays envelopes it cannot open.
 * WebCrypto only, so the same code runs in every browser and in Node ≥ 20 (unit tests).
 *
 * Wrap: ECDH(sender private, recipient public) → HKDF-SHA-256 (salt = session id, info = label,
 * key index and both public keys) → AES-GCM-256 with a random 96-bit IV, the same binding again
 * as additional data. A key wrapped for one person, one session or one key index opens for no
 * other; a server that swaps a public key wraps nothing the real recipient can open.
 */
import { EnvelopeError } from './envelope-error.ts';
import { subtle, utf8, type Subtle } from './web-crypto.ts';

/** X25519 where the browser has it (Chromium ≥ 133, Firefox ≥ 130, Safari ≥ 17, Node ≥ 20), P-256 ECDH everywhere else. */
export const KEY_CURVES = ['X25519', 'P-256'] as const;
export type KeyCurve = (typeof KEY_CURVES)[number];

/** Raw public key lengths, base64url without padding: X25519 32 bytes, P-256 uncompressed point 65 bytes. */
export const PUBLIC_KEY_CHARS: Readonly<Record<KeyCurve, number>> = { X25519: 43, 'P-256': 87 };

/** WebCrypto's types as this platform declares them (DOM in the browser build, node:crypto in the server's). */
export type CallCryptoKey = Awaited<ReturnType<Subtle['importKey']>>;
type Algorithm = Parameters<Subtle['importKey']>[2];
type DeriveAlgorithm = Parameters<Subtle['deriveBits']>[0];

/** A public key as it travels: raw bytes, base64url, tagged with its curve. */
export interface PublicKeyTag {
  curve: KeyCurve;
  key: string;
}

/** One browser's key pair for one call. The private key is not extractable: not even our own script can read it. */
export interface CallKeyPair {
  readonly publicKey: PublicKeyTag;
  readonly privateKey: CallCryptoKey;
}

/** 256 random bits; LiveKit's key provider derives the frame key from them with HKDF. */
export const MEDIA_KEY_BYTES = 32;
const IV_BYTES = 12;
const WRAP_LABEL = 'alcove-key-wrap-v1';
const ENVELOPE_LABEL = 'alcove-key-envelope-v1';
const ENVELOPE_VERSION = 1;
/** Two groups of four digits, as the verification code is shown. */
export const VERIFICATION_CODE_PATTERN = /^\d{4} \d{4}$/u;

/** What the console sends to one person, sealed: the media key and what that person must trust from the therapist. */
export interface WrappedKeyContent {
  /** The 32-byte media key. */
  key: Uint8Array;
  /** The verification code the therapist compared with everyone ("Codes compared"), or null. */
  confirmedCode: string | null;
}

/** An envelope as it travels (base64url strings and a key index): opaque to the server. */
export interface KeyEnvelope {
  v: typeof ENVELOPE_VERSION;
  keyIndex: number;
  from: PublicKeyTag;
  to: PublicKeyTag;
  iv: string;
  data: string;
}


export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/gu, '-').replace(/\//gu, '_').replace(/=+$/u, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/u.test(text)) throw new EnvelopeError('call-key', 'malformed');
  const binary = atob(text.replace(/-/gu, '+').replace(/_/gu, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The WebCrypto algorithm of a curve (also used by the sealed notes and intake, `sealed-box.ts`). */
export function algorithmOf(curve: KeyCurve): Algorithm {
  return curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: 'P-256' };
}

/** `curve:key`, the one spelling of a public key wherever keys are compared, sorted or bound. */
export const publicKeyId = (tag: PublicKeyTag) => `${tag.curve}:${tag.key}`;
export const isSamePublicKey = (a: PublicKeyTag, b: PublicKeyTag) => a.curve === b.curve && a.key === b.key;

export async function generateCallKeyPair(curve: KeyCurve): Promise<CallKeyPair> {
  const pair = (await subtle().generateKey(algorithmOf(curve) as Parameters<Subtle['generateKey']>[0], false, ['deriveBits'])) as { publicKey: CallCryptoKey; privateKey: CallCryptoKey };
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { publicKey: { curve, key: toBase64Url(raw) }, privateKey: pair.privateKey };
}

/** The curves this browser can make pairs on, preferred first (a browser without X25519 gets P-256 only). */
export async function supportedCurves(): Promise<KeyCurve[]> {
  const supported: KeyCurve[] = [];
  for (const curve of KEY_CURVES) {
    try {
      await subtle().generateKey(algorithmOf(curve) as Parameters<Subtle['generateKey']>[0], false, ['deriveBits']);
      supported.push(curve);
    } catch {
      // Not in this browser: the other curve serves.
    }
  }
  return supported;
}

/** A fresh media key: 32 random bytes. */
export function newMediaKey(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(MEDIA_KEY_BYTES));
}

export async function importPublicKey(tag: PublicKeyTag): Promise<CallCryptoKey> {
  const raw = fromBase64Url(tag.key);
  if (tag.key.length !== PUBLIC_KEY_CHARS[tag.curve]) throw new EnvelopeError('call-key', 'malformed');
  return subtle().importKey('raw', raw, algorithmOf(tag.curve), true, []);
}

/** The raw ECDH secret of our private key (on `curve`) and a peer's public key. */
export async function sharedSecretBits(curve: KeyCurve, privateKey: CallCryptoKey, peer: PublicKeyTag): Promise<ArrayBuffer> {
  const peerKey = await importPublicKey(peer);
  const name = curve === 'X25519' ? 'X25519' : 'ECDH';
  return subtle().deriveBits({ name, public: peerKey } as DeriveAlgorithm, privateKey, 256);
}

/**
 * The one way every envelope here gets its key: ECDH between our private key and the peer's public
 * key, then HKDF-SHA-256 (salt: the session id; info: what the key is for and between whom) to a
 * non-extractable AES-GCM-256 key. Call keys, take-home lists and sealed notes differ only in `info`.
 */
export async function agreedAesKey(curve: KeyCurve, privateKey: CallCryptoKey, peer: PublicKeyTag, salt: string, info: Uint8Array<ArrayBuffer>): Promise<CallCryptoKey> {
  const shared = await sharedSecretBits(curve, privateKey, peer);
  const base = await subtle().importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: utf8(salt), info }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** The AES-GCM key shared by exactly these two public keys, for this session and key index. */
function wrappingKey(sessionId: string, keyIndex: number, own: CallKeyPair, peer: PublicKeyTag, from: PublicKeyTag, to: PublicKeyTag): Promise<CallCryptoKey> {
  return agreedAesKey(own.publicKey.curve, own.privateKey, peer, sessionId, utf8(JSON.stringify([WRAP_LABEL, keyIndex, publicKeyId(from), publicKeyId(to)])));
}

const additionalData = (sessionId: string, keyIndex: number, from: PublicKeyTag, to: PublicKeyTag) =>
  utf8(JSON.stringify([ENVELOPE_LABEL, sessionId, keyIndex, publicKeyId(from), publicKeyId(to)]));

function encodeContent(content: WrappedKeyContent): Uint8Array<ArrayBuffer> {
  if (content.key.length !== MEDIA_KEY_BYTES) throw new RangeError('a media key is 32 bytes');
  if (content.confirmedCode !== null && !VERIFICATION_CODE_PATTERN.test(content.confirmedCode)) throw new RangeError('not a verification code');
  const code = utf8(content.confirmedCode ?? '');
  const bytes = new Uint8Array(MEDIA_KEY_BYTES + code.length);
  bytes.set(content.key);
  bytes.set(code, MEDIA_KEY_BYTES);
  return bytes;
}

function decodeContent(bytes: Uint8Array): WrappedKeyContent {
  if (bytes.length < MEDIA_KEY_BYTES) throw new EnvelopeError('call-key', 'malformed');
  const code = new TextDecoder().decode(bytes.subarray(MEDIA_KEY_BYTES));
  if (code !== '' && !VERIFICATION_CODE_PATTERN.test(code)) throw new EnvelopeError('call-key', 'malformed');
  return { key: bytes.slice(0, MEDIA_KEY_BYTES), confirmedCode: code === '' ? null : code };
}

export interface WrapRequest {
  sessionId: string;
  keyIndex: number;
  /** The console's pair on the recipient's curve. */
  sender: CallKeyPair;
  recipient: PublicKeyTag;
  content: WrappedKeyContent;
}

export async function wrapMediaKey(request: WrapRequest): Promise<KeyEnvelope> {
  const { sessionId, keyIndex, sender, recipient } = request;
  if (sender.publicKey.curve !== recipient.curve) throw new RangeError('sender and recipient keys must be on one curve');
  const from = sender.publicKey;
  const key = await wrappingKey(sessionId, keyIndex, sender, recipient, from, recipient);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(sessionId, keyIndex, from, recipient) }, key, encodeContent(request.content));
  return { v: ENVELOPE_VERSION, keyIndex, from, to: recipient, iv: toBase64Url(iv), data: toBase64Url(new Uint8Array(sealed)) };
}

export interface UnwrapRequest {
  sessionId: string;
  envelope: KeyEnvelope;
  /** Our own pair: the envelope must be addressed to its public key. */
  recipient: CallKeyPair;
  /** The therapist's public key as the current member list shows it: the only sender we accept. */
  expectedSender: PublicKeyTag;
}

/** Opens an envelope meant for us from the sender we expect; anything else throws `EnvelopeError`. */
export async function unwrapMediaKey(request: UnwrapRequest): Promise<WrappedKeyContent> {
  const { sessionId, envelope, recipient, expectedSender } = request;
  if (envelope.v !== ENVELOPE_VERSION) throw new EnvelopeError('call-key', 'malformed');
  if (!isSamePublicKey(envelope.to, recipient.publicKey)) throw new EnvelopeError('call-key', 'wrong-recipient');
  if (!isSamePublicKey(envelope.from, expectedSender)) throw new EnvelopeError('call-key', 'wrong-sender');
  let key: CallCryptoKey;
  try {
    key = await wrappingKey(sessionId, envelope.keyIndex, recipient, envelope.from, envelope.from, envelope.to);
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    throw new EnvelopeError('call-key', 'malformed');
  }
  let opened: ArrayBuffer;
  try {
    opened = await subtle().decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(envelope.iv), additionalData: additionalData(sessionId, envelope.keyIndex, envelope.from, envelope.to) },
      key,
      fromBase64Url(envelope.data),
    );
  } catch {
    throw new EnvelopeError('call-key', 'undecryptable');
  }
  return decodeContent(new Uint8Array(opened));
}
