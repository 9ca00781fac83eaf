import { randomBytes } from 'node:crypto';

/** Kinds of opaque id; the prefix only helps an operator tell them apart. */
export type OpaqueIdKind = 'therapist' | 'session' | 'participant' | 'host' | 'login' | 'check-room' | 'check-identity';
const PREFIX: Record<OpaqueIdKind, string> = { therapist: 't', session: 's', participant: 'p', host: 'h', login: 'l', 'check-room': 'c', 'check-identity': 'k' };

/** 128 random bits, base64url: carries nothing about a person. */
export function createOpaqueId(kind: OpaqueIdKind): string {
  return `${PREFIX[kind]}_${randomBytes(16).toString('base64url')}`;
}
