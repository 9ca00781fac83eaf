/**
 * The verification code as this browser sees the call: the member list our server relays, with
 * our own keys taken from ourselves (and ourselves added if the list left us out), so a key the
 * server swapped shows as a different code here than on the other side of the swap.
 */
import { deriveCallCode, describeMemberChanges, membersAsSeenBy, type CallMember, type MemberChange, type PublicKeyTag } from '@alcove/shared';

export interface CallCode {
  code: string;
  /** How many members the code covers. */
  memberCount: number;
  /** Why it changed since the previous code (empty for the first one). */
  changes: MemberChange[];
  /** Who vouched for this very code: the therapist (clients), ourselves (the console), or nobody yet. */
  compared: 'therapist' | 'self' | null;
}

export interface CodeTracker {
  /** A new list: resolves with the code it gives, and what changed. */
  update(members: readonly CallMember[]): Promise<{ code: string; memberCount: number; changes: MemberChange[] }>;
  current(): string | null;
}

export function createCodeTracker(sessionId: string, self: { memberId: string; role: CallMember['role']; publicKeys: PublicKeyTag[] }): CodeTracker {
  let previous: CallMember[] | null = null;
  let code: string | null = null;
  // Lists are digested one after another: a late digest must not overwrite a newer list's code.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    update(members) {
      const run = async () => {
        const seen = membersAsSeenBy(members, self);
        if (!seen.some((m) => m.memberId === self.memberId)) seen.push({ memberId: self.memberId, role: self.role, label: '', publicKeys: self.publicKeys });
        const changes = previous ? describeMemberChanges(previous, seen) : [];
        previous = seen;
        code = await deriveCallCode(sessionId, seen);
        return { code, memberCount: seen.length, changes };
      };
      const result = queue.then(run);
      queue = result.catch(() => undefined);
      return result;
    },
    current: () => code,
  };
}
