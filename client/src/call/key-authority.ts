/**
 * The therapist's console as the key authority of its call. It makes the media key (32 random
 * bytes) when the call starts, holds it in its own key ring, and seals it to each admitted
 * client's public key as that key appears in the member list; our server only relays the
 * envelopes. When someone leaves the list (removed, sent back, left) it rotates: a new key in the
 * next slot, sealed to those who remain, and only once they hold it (or KEY_READY_TIMEOUT_MS,
 * which the relay's answer already waited for) does everyone switch. Someone who left and comes
 * back (released from hold, admitted again after a send-back) brings a rotation too: they get a
 * fresh key, never the one the call used while they were out. A reloaded or rejoined
 * console is a new authority: new pairs, a new key, the others switched to it.
 *
 * One pair per curve the browser has (X25519 and P-256), so a P-256-only browser can be served.
 */
import {
  E2EE_KEYRING_SIZE,
  THERAPIST_MEMBER_ID,
  generateCallKeyPair,
  newMediaKey,
  publicKeyId,
  sealResourceList,
  supportedCurves,
  toBase64Url,
  wrapMediaKey,
  type CallKeyPair,
  type CallMember,
  type CallMembersFact,
  type KeyEnvelope,
  type PublicKeyTag,
  type ResourceEnvelope,
  type TakeHomeResource,
} from '@alcove/shared';
import { createCodeTracker, type CallCode, type CodeTracker } from './call-code.ts';
import type { SessionKey } from './media-key.ts';

export interface KeyAuthorityDeps {
  sessionId: string;
  /** Relays one envelope to one participant; answers whether their browser installed it. */
  send(participantId: string, envelope: KeyEnvelope): Promise<{ installed: boolean }>;
  /** Tells every admitted participant to encrypt with this slot. */
  activate(keyIndex: number): Promise<void>;
  /** Our own call: hold a key beside the current one / encrypt with it. */
  install(key: SessionKey): Promise<void>;
  activateLocal(keyIndex: number): void;
  onCode(code: CallCode): void;
}

export interface KeyAuthority {
  readonly publicKeys: PublicKeyTag[];
  /** The key the call encrypts with now. */
  current(): SessionKey;
  /** A new member list: seal the key to newcomers and renewed keys, rotate if someone left. */
  onMembers(fact: CallMembersFact): void;
  /** "Codes compared": the current code travels, sealed, to each client. */
  markCompared(): Promise<void>;
  /** The take-home list sealed from our call key to this client's, on a curve we share (resource-seal.ts); null if none. */
  sealResources(member: CallMember, resources: readonly TakeHomeResource[]): Promise<ResourceEnvelope | null>;
  /** Resolves when every change so far has been handled (tests, and leaving cleanly). */
  settled(): Promise<void>;
  /** The console left the call: nothing more is sealed or switched by this authority (a rejoin is a new one). */
  stop(): void;
}

const clientsOf = (members: readonly CallMember[]) => members.filter((m) => m.role === 'client');
const keysOf = (member: CallMember) => member.publicKeys.map(publicKeyId).sort().join(' ');

export async function createKeyAuthority(deps: KeyAuthorityDeps): Promise<KeyAuthority> {
  const curves = await supportedCurves();
  const pairs: CallKeyPair[] = await Promise.all(curves.map((curve) => generateCallKeyPair(curve)));
  const publicKeys = pairs.map((p) => p.publicKey);
  // A random first slot: a reloaded console's key does not land in the slot the others use now.
  let keyIndex = globalThis.crypto.getRandomValues(new Uint8Array(1))[0]! % E2EE_KEYRING_SIZE;
  let mediaKey = newMediaKey();
  const current = (): SessionKey => ({ key: toBase64Url(mediaKey), keyIndex });
  let confirmedCode: string | null = null;
  const tracker: CodeTracker = createCodeTracker(deps.sessionId, { memberId: THERAPIST_MEMBER_ID, role: 'therapist', publicKeys });
  /** Client member id → the public keys (as one string) we sealed the current key to. */
  let sealedTo = new Map<string, string>();
  let members: CallMember[] = [];
  /** Clients who left the list during this call: on their return the key rotates. */
  const departed = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;
  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch(() => undefined);
    return queue;
  };

  /** Our pair and their key on the first curve we share. */
  function pairWith(member: CallMember): { pair: CallKeyPair; recipient: PublicKeyTag } | null {
    const pair = pairs.find((p) => member.publicKeys.some((k) => k.curve === p.publicKey.curve));
    const recipient = pair && member.publicKeys.find((k) => k.curve === pair.publicKey.curve);
    return pair && recipient ? { pair, recipient } : null;
  }

  async function sealTo(member: CallMember): Promise<boolean> {
    if (stopped) return true;
    const match = pairWith(member);
    if (!match) return false;
    const { pair, recipient } = match;
    const envelope = await wrapMediaKey({ sessionId: deps.sessionId, keyIndex, sender: pair, recipient, content: { key: mediaKey, confirmedCode } });
    sealedTo.set(member.memberId, keysOf(member));
    try {
      return (await deps.send(member.memberId, envelope)).installed;
    } catch {
      // Not admitted any more (a removal under way): the next list takes them out.
      return false;
    }
  }

  async function showCode() {
    const seen = await tracker.update(members);
    deps.onCode({ ...seen, compared: confirmedCode !== null && confirmedCode === seen.code ? 'self' : null });
  }

  /** Someone left: a new key in the next slot for those who stay; everyone switches once they hold it. */
  async function rotate(staying: CallMember[]) {
    keyIndex = (keyIndex + 1) % E2EE_KEYRING_SIZE;
    mediaKey = newMediaKey();
    // A confirmation was for the old list; the code has changed with it.
    confirmedCode = null;
    sealedTo = new Map();
    await deps.install(current());
    await sealAndSwitch(staying, () => deps.activateLocal(keyIndex));
  }

  /**
   * Seals the key in force to these members, then switches everyone to it. A browser that did not
   * answer in time (its envelope lost, a stalled link) gets the key once more: told to switch to a
   * slot it lacks, it waits out the missing-key grace, which this is well inside.
   */
  async function sealAndSwitch(to: CallMember[], beforeSwitch: () => void = () => undefined) {
    const installed = await Promise.all(to.map((member) => sealTo(member)));
    if (stopped) return;
    beforeSwitch();
    await deps.activate(keyIndex);
    await Promise.all(to.filter((_, i) => !installed[i]).map((member) => sealTo(member)));
  }

  async function handle(next: CallMember[]) {
    const before = members;
    members = next;
    void showCode();
    const staying = clientsOf(next);
    const gone = clientsOf(before).filter((m) => !staying.some((s) => s.memberId === m.memberId));
    for (const m of gone) departed.add(m.memberId);
    const returning = staying.filter((m) => departed.has(m.memberId));
    for (const m of returning) departed.delete(m.memberId);
    if (gone.length > 0 || returning.length > 0) return rotate(staying);
    for (const id of [...sealedTo.keys()]) if (!staying.some((m) => m.memberId === id)) sealedTo.delete(id);
    const due = staying.filter((m) => sealedTo.get(m.memberId) !== keysOf(m));
    if (due.length === 0) return;
    // Newcomers hold the key in force; browsers that held an older console's key switch to ours.
    await sealAndSwitch(due);
  }

  return {
    publicKeys,
    current,
    onMembers(fact) {
      if (fact.sessionId !== deps.sessionId) return;
      void enqueue(() => handle(fact.members));
    },
    markCompared() {
      return enqueue(async () => {
        confirmedCode = (await tracker.update(members)).code;
        await showCode();
        await Promise.all(clientsOf(members).map((member) => sealTo(member)));
      });
    },
    async sealResources(member, resources) {
      const match = pairWith(member);
      if (stopped || !match) return null;
      return sealResourceList({ sessionId: deps.sessionId, participantId: member.memberId }, match.pair, match.recipient, resources);
    },
    settled: () => queue,
    stop() {
      stopped = true;
    },
  };
}
