/**
 * What a client writes for the therapist alone (a private note, intake answers) is sealed in the
 * client's browser to the therapist's long-lived sealing public key; our server stores and relays
 * the envelope, which it cannot open. WebCrypto only, so the same code runs in every browser and
 * in Node (unit tests).
 *
 * Seal: an ephemeral key pair on the recipient's curve, ECDH(ephemeral private, sealing public) →
 * HKDF-SHA-256 (salt = session id; info = label, purpose, session id, participant id and both
 * public keys) → AES-GCM-256 with a random 96-bit IV, the same binding again as additional data.
 * A note sealed for one session, one participant or one purpose opens for no other: a server that
 * moves Kai's note into Sam's place, or an intake into a note's, hands the console something it
 * refuses. The plaintext is padded to a fixed bucket so the envelope's size says little about
 * how much was written.
 */
import { EnvelopeError } from './envelope-error.ts';
import { subtle, utf8 } from './web-crypto.ts';
import {
  agreedAesKey,
  fromBase64Url,
  generateCallKeyPair,
  isSamePublicKey,
  publicKeyId,
  toBase64Url,
  type CallCryptoKey,
  type CallKeyPair,
  type KeyCurve,
  type PublicKeyTag,
} from './key-exchange.ts';

export const SEALED_PURPOSES = ['note', 'intake'] as const;
export type SealedPurpose = (typeof SEALED_PURPOSES)[number];

const SEAL_LABEL = 'alcove-sealed-box-v1';
const SEAL_AD_LABEL = 'alcove-sealed-box-ad-v1';
const FINGERPRINT_LABEL = 'alcove-sealing-fingerprint-v1';
const SEALED_VERSION = 1;
const IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
/** The plaintext's length, before the padding. */
const LENGTH_PREFIX_BYTES = 4;

/** An envelope as it travels and is stored: opaque to the server, which checks only its shape and size. */
export interface SealedEnvelope {
  v: typeof SEALED_VERSION;
  purpose: SealedPurpose;
  /** The therapist's sealing public key it was sealed to. */
  to: PublicKeyTag;
  /** The ephemeral public key of this one envelope. */
  from: PublicKeyTag;
  iv: string;
  data: string;
}

/** Who wrote it, where, for what: bound into the key and the additional data. */
export interface SealBinding {
  sessionId: string;
  participantId: string;
  purpose: SealedPurpose;
}


/** Sizes of the padded plaintext: a note is always one bucket, an intake a whole number of them. */
export const SEALED_BUCKET_BYTES: Readonly<Record<SealedPurpose, number>> = { note: 2048, intake: 1024 };
/** The largest padded plaintext of each purpose. */
export const SEALED_MAX_BYTES: Readonly<Record<SealedPurpose, number>> = { note: 2048, intake: 9 * 1024 };
/** The largest content that fits (the rest of the padded plaintext is the length prefix). */
export const sealedContentMaxBytes = (purpose: SealedPurpose) => SEALED_MAX_BYTES[purpose] - LENGTH_PREFIX_BYTES;

/** The base64url lengths an envelope's `data` may have for a purpose: one per bucket count. */
export function sealedDataLengths(purpose: SealedPurpose): number[] {
  const lengths: number[] = [];
  for (let bytes = SEALED_BUCKET_BYTES[purpose]; bytes <= SEALED_MAX_BYTES[purpose]; bytes += SEALED_BUCKET_BYTES[purpose]) {
    lengths.push(Math.ceil(((bytes + GCM_TAG_BYTES) * 4) / 3));
  }
  return lengths;
}

function pad(content: Uint8Array, purpose: SealedPurpose): Uint8Array<ArrayBuffer> {
  if (content.length > sealedContentMaxBytes(purpose)) throw new RangeError('too long to seal');
  const bucket = SEALED_BUCKET_BYTES[purpose];
  const size = Math.max(bucket, Math.ceil((content.length + LENGTH_PREFIX_BYTES) / bucket) * bucket);
  const padded = new Uint8Array(size);
  new DataView(padded.buffer).setUint32(0, content.length);
  padded.set(content, LENGTH_PREFIX_BYTES);
  return padded;
}

function unpad(padded: Uint8Array): Uint8Array {
  if (padded.length < LENGTH_PREFIX_BYTES) throw new EnvelopeError('sealed', 'malformed');
  const length = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (length > padded.length - LENGTH_PREFIX_BYTES) throw new EnvelopeError('sealed', 'malformed');
  return padded.slice(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + length);
}

const bindingOf = (label: string, binding: SealBinding, from: PublicKeyTag, to: PublicKeyTag) =>
  utf8(JSON.stringify([label, binding.purpose, binding.sessionId, binding.participantId, publicKeyId(from), publicKeyId(to)]));

function boxKey(binding: SealBinding, curve: KeyCurve, privateKey: CallCryptoKey, peer: PublicKeyTag, from: PublicKeyTag, to: PublicKeyTag): Promise<CallCryptoKey> {
  return agreedAesKey(curve, privateKey, peer, binding.sessionId, bindingOf(SEAL_LABEL, binding, from, to));
}

/** Seals `content` (bytes, padded here) to the therapist's sealing public key, for this binding only. */
export async function sealForTherapist(binding: SealBinding, recipient: PublicKeyTag, content: Uint8Array): Promise<SealedEnvelope> {
  const ephemeral = await generateCallKeyPair(recipient.curve);
  const from = ephemeral.publicKey;
  const key = await boxKey(binding, recipient.curve, ephemeral.privateKey, recipient, from, recipient);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: bindingOf(SEAL_AD_LABEL, binding, from, recipient) }, key, pad(content, binding.purpose));
  return { v: SEALED_VERSION, purpose: binding.purpose, to: recipient, from, iv: toBase64Url(iv), data: toBase64Url(new Uint8Array(sealed)) };
}

/** Opens an envelope sealed to our sealing pair for exactly this binding; anything else throws `EnvelopeError`. */
export async function openSealed(binding: SealBinding, envelope: SealedEnvelope, own: CallKeyPair): Promise<Uint8Array> {
  if (envelope.v !== SEALED_VERSION) throw new EnvelopeError('sealed', 'malformed');
  if (envelope.purpose !== binding.purpose) throw new EnvelopeError('sealed', 'wrong-purpose');
  if (!isSamePublicKey(envelope.to, own.publicKey)) throw new EnvelopeError('sealed', 'wrong-recipient');
  if (envelope.from.curve !== own.publicKey.curve) throw new EnvelopeError('sealed', 'malformed');
  let key: CallCryptoKey;
  let iv: Uint8Array<ArrayBuffer>;
  let data: Uint8Array<ArrayBuffer>;
  try {
    key = await boxKey(binding, own.publicKey.curve, own.privateKey, envelope.from, envelope.from, envelope.to);
    iv = fromBase64Url(envelope.iv);
    data = fromBase64Url(envelope.data);
  } catch {
    throw new EnvelopeError('sealed', 'malformed');
  }
  let opened: ArrayBuffer;
  try {
    opened = await subtle().decrypt({ name: 'AES-GCM', iv, additionalData: bindingOf(SEAL_AD_LABEL, binding, envelope.from, envelope.to) }, key, data);
  } catch {
    throw new EnvelopeError('sealed', 'undecryptable');
  }
  return unpad(new Uint8Array(opened));
}

/**
 * The sealing key's fingerprint as the console shows it: SHA-256 over a label and the public key,
 * four groups of four hex digits. Computed in the browser from the key it holds, so a server that
 * swapped the public key it hands to clients shows a different one.
 */
export async function sealingKeyFingerprint(publicKey: PublicKeyTag): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', utf8(JSON.stringify([FINGERPRINT_LABEL, publicKeyId(publicKey)]))));
  const hex = [...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return hex.match(/.{4}/gu)!.join(' ').toUpperCase();
}
