/**
 * The take-home list sealed from the therapist's console to one client's call key (the per-call
 * pairs of key-exchange.ts), so the server relays it without reading it. Unlike the sealed box
 * (an ephemeral sender: anyone may write to the therapist), this is static–static ECDH between
 * the console's call key and the client's: only the holder of the therapist key in the client's
 * member list can have made it, and the client checks exactly that. Bound to the session and the
 * participant, padded to one fixed size so the envelope says nothing about the list's length.
 */
import { EnvelopeError } from './envelope-error.ts';
import { subtle, utf8 } from './web-crypto.ts';
import {
  agreedAesKey,
  fromBase64Url,
  isSamePublicKey,
  publicKeyId,
  toBase64Url,
  type CallCryptoKey,
  type CallKeyPair,
  type PublicKeyTag,
} from './key-exchange.ts';
import { parseResourceList, type TakeHomeResource } from './take-home-resources.ts';

const LABEL = 'alcove-take-home-v1';
const AD_LABEL = 'alcove-take-home-ad-v1';
const RESOURCE_ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const LENGTH_PREFIX_BYTES = 4;
/** Five titles of 120 characters (up to 4 UTF-8 bytes each) and five 500-character links, as JSON, fit. */
export const RESOURCE_PADDED_BYTES = 6144;
/** The one length a resource envelope's `data` has (base64url of the padded plaintext and the GCM tag). */
export const RESOURCE_ENVELOPE_DATA_CHARS = Math.ceil(((RESOURCE_PADDED_BYTES + GCM_TAG_BYTES) * 4) / 3);

export interface ResourceEnvelope {
  v: typeof RESOURCE_ENVELOPE_VERSION;
  /** The client's call public key. */
  to: PublicKeyTag;
  /** The console's call public key (the therapist member's). */
  from: PublicKeyTag;
  iv: string;
  data: string;
}

export interface ResourceBinding {
  sessionId: string;
  participantId: string;
}

const bindingOf = (label: string, binding: ResourceBinding, from: PublicKeyTag, to: PublicKeyTag) =>
  utf8(JSON.stringify([label, binding.sessionId, binding.participantId, publicKeyId(from), publicKeyId(to)]));

function listKey(binding: ResourceBinding, own: CallKeyPair, peer: PublicKeyTag, from: PublicKeyTag, to: PublicKeyTag): Promise<CallCryptoKey> {
  return agreedAesKey(own.publicKey.curve, own.privateKey, peer, binding.sessionId, bindingOf(LABEL, binding, from, to));
}

/** Seals the list (checked again here: the console never seals what a client would refuse) to one client. */
export async function sealResourceList(binding: ResourceBinding, therapistPair: CallKeyPair, recipient: PublicKeyTag, resources: readonly TakeHomeResource[]): Promise<ResourceEnvelope> {
  if (recipient.curve !== therapistPair.publicKey.curve) throw new EnvelopeError('resources', 'wrong-recipient');
  const body = { v: 1, resources: resources.map(({ title, url }) => ({ title, url })) };
  if (parseResourceList(body) === null) throw new RangeError('not a valid resource list');
  const content = utf8(JSON.stringify(body));
  const padded = new Uint8Array(RESOURCE_PADDED_BYTES);
  new DataView(padded.buffer).setUint32(0, content.length);
  padded.set(content, LENGTH_PREFIX_BYTES);
  const key = await listKey(binding, therapistPair, recipient, therapistPair.publicKey, recipient);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: bindingOf(AD_LABEL, binding, therapistPair.publicKey, recipient) }, key, padded);
  return { v: RESOURCE_ENVELOPE_VERSION, to: recipient, from: therapistPair.publicKey, iv: toBase64Url(iv), data: toBase64Url(new Uint8Array(sealed)) };
}

/** Opens a list sealed to our call pair by `expectedSender` (the therapist key in our member list), for this binding; anything else throws. */
export async function openResourceList(binding: ResourceBinding, envelope: ResourceEnvelope, own: CallKeyPair, expectedSender: PublicKeyTag): Promise<TakeHomeResource[]> {
  if (envelope.v !== RESOURCE_ENVELOPE_VERSION || envelope.data.length !== RESOURCE_ENVELOPE_DATA_CHARS) throw new EnvelopeError('resources', 'malformed');
  if (!isSamePublicKey(envelope.to, own.publicKey)) throw new EnvelopeError('resources', 'wrong-recipient');
  if (!isSamePublicKey(envelope.from, expectedSender)) throw new EnvelopeError('resources', 'wrong-sender');
  let opened: ArrayBuffer;
  try {
    const key = await listKey(binding, own, envelope.from, envelope.from, envelope.to);
    opened = await subtle().decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(envelope.iv), additionalData: bindingOf(AD_LABEL, binding, envelope.from, envelope.to) },
      key,
      fromBase64Url(envelope.data),
    );
  } catch {
    throw new EnvelopeError('resources', 'undecryptable');
  }
  const padded = new Uint8Array(opened);
  const length = new DataView(padded.buffer).getUint32(0);
  if (length > padded.length - LENGTH_PREFIX_BYTES) throw new EnvelopeError('resources', 'malformed');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(padded.subarray(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + length)));
  } catch {
    throw new EnvelopeError('resources', 'malformed');
  }
  const list = parseResourceList(value);
  if (list === null) throw new EnvelopeError('resources', 'malformed');
  return list;
}
