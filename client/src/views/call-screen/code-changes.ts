/**
 * "The code changed: Kai joined." — what a change of the verification code means, in words.
 * Pure (no DOM): the call view announces these (aria-live) and shows the latest beside the code.
 */
import type { MemberChange } from '@alcove/shared';
import type { en } from '../../i18n/messages-en.ts';

type MessageKey = keyof typeof en;

const KEYS: Readonly<Record<MemberChange['kind'], MessageKey>> = {
  joined: 'call.code.changedJoined',
  left: 'call.code.changedLeft',
  renewed: 'call.code.changedRenewed',
};

export interface ChangeMessage {
  key: MessageKey;
  /** The name the tiles show; null for a therapist without one ("your therapist", in the reader's language). */
  name: string | null;
}

export function changeMessages(changes: readonly MemberChange[]): ChangeMessage[] {
  return changes.map((change) => ({ key: KEYS[change.kind], name: change.label || null }));
}
