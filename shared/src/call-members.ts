/**
 * Who is in a call, as every browser sees it: the member list our server relays (public keys
 * only), the verification code people compare aloud, and what changed when that code changes.
 * Pure (WebCrypto's digest only): the same in every browser and in the unit tests.
 */
import { publicKeyId, type PublicKeyTag } from './key-exchange.ts';

export type CallMemberRole = 'therapist' | 'client';

/** The therapist's member id; a client's is its participant id. */
export const THERAPIST_MEMBER_ID = 'therapist';

export interface CallMember {
  memberId: string;
  role: CallMemberRole;
  /** What the call's tiles call this person (the display name; the therapist's name). */
  label: string;
  /** The console announces one key per curve it has (so it can wrap to a P-256-only browser), a client one. */
  publicKeys: PublicKeyTag[];
}

/**
 * The list as this browser must judge it: its own keys from itself, never from the server. A
 * server that replaced our key in the list it sends *us* would otherwise make our code match.
 */
export function membersAsSeenBy(members: readonly CallMember[], self: { memberId: string; publicKeys: PublicKeyTag[] }): CallMember[] {
  return members.map((member) => (member.memberId === self.memberId ? { ...member, publicKeys: self.publicKeys } : member));
}

/**
 * SHA-256 over the session id and the sorted public keys of every member, as two groups of four
 * digits. The order members arrive in does not matter; any key that differs changes the code, so
 * a swapped key shows as different codes on the two sides of the swap.
 */
export async function deriveCallCode(sessionId: string, members: readonly Pick<CallMember, 'publicKeys'>[]): Promise<string> {
  const keys = members.flatMap((member) => member.publicKeys.map(publicKeyId)).sort();
  const data = new TextEncoder().encode(JSON.stringify(['alcove-verification-v2', sessionId, keys]));
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data));
  const value = (((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0) % 100_000_000;
  const digits = value.toString().padStart(8, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}

/** One reason the code changed. `renewed`: same person, new key (a reload or reconnect — or a substituted key). */
export interface MemberChange {
  kind: 'joined' | 'left' | 'renewed';
  memberId: string;
  role: CallMemberRole;
  label: string;
}

const keysOf = (member: CallMember) => member.publicKeys.map(publicKeyId).sort().join(' ');

/** What changed between two lists, in the order of the new list (then who left, in the old order). */
export function describeMemberChanges(before: readonly CallMember[], after: readonly CallMember[]): MemberChange[] {
  const old = new Map(before.map((member) => [member.memberId, member]));
  const now = new Set(after.map((member) => member.memberId));
  const changes: MemberChange[] = [];
  for (const member of after) {
    const previous = old.get(member.memberId);
    const change = (kind: MemberChange['kind']) => changes.push({ kind, memberId: member.memberId, role: member.role, label: member.label });
    if (!previous) change('joined');
    else if (keysOf(previous) !== keysOf(member)) change('renewed');
  }
  for (const member of before) {
    if (!now.has(member.memberId)) changes.push({ kind: 'left', memberId: member.memberId, role: member.role, label: member.label });
  }
  return changes;
}
