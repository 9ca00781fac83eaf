/**
 * A client's side of the key exchange: one key pair for this page's call (private key not
 * extractable), announced to our server, and the media keys the therapist's console sealed for
 * it. A key is accepted only from the therapist's public key in the current member list and only
 * addressed to our own public key; anything else is ignored — never a fallback. The pair and the
 * keys live as long as the page: a media rejoin (LiveKit restarted) reuses them, nothing is
 * asked of our server but the member list.
 */
import {
  EnvelopeError,
  THERAPIST_MEMBER_ID,
  generateCallKeyPair,
  openResourceList,
  supportedCurves,
  toBase64Url,
  unwrapMediaKey,
  type CallKeyPair,
  type CallMember,
  type CallMembersFact,
  type KeySentFact,
  type PublicKeyTag,
  type ResourcesSentFact,
  type TakeHomeResource,
} from '@alcove/shared';
import { createCodeTracker, type CallCode, type CodeTracker } from './call-code.ts';
import type { SessionKey } from './media-key.ts';

export interface ClientKeysDeps {
  /** Sends our public key to our server; answers the member list as it is now. */
  announce(publicKeys: PublicKeyTag[]): Promise<CallMembersFact>;
  /** The code (and what changed) whenever it changes, or when the therapist's confirmation does. */
  onCode(code: CallCode): void;
  /** The therapist joined or left the call (the member list changed). */
  onTherapistInCall(inCall: boolean): void;
}

export interface ClientKeys {
  /**
   * While waiting: makes our pair and stages its public key with our server, which lists it for the
   * call the moment we are let in — so the console seals the media key while our page is still
   * fetching its token. A failure changes nothing: admission announces the key again.
   */
  stage(): void;
  /** Makes our pair (once) and announces it; call when admitted, and again after the socket reconnects. */
  announce(participantId: string): Promise<void>;
  onMembers(fact: CallMembersFact): void;
  /** Whether the therapist is in the call, so a key can come. */
  therapistInCall(): boolean;
  /** An envelope: resolves with the key it holds if it is for us from our therapist, else null. */
  receive(fact: KeySentFact): Promise<SessionKey | null>;
  /**
   * The newest key we hold, or the first one to come. Waits as long as the therapist is not in
   * the call yet (nobody can make a key before); once they are, a key that has not come within
   * `graceMs` rejects with `KeyNotReceivedError`.
   */
  waitForKey(graceMs: number): Promise<SessionKey>;
  /**
   * A take-home list: resolves with it if it was sealed to our key, for us in this session, by the
   * therapist key in our member list; anything else is null (dropped, nothing shown).
   */
  receiveResources(fact: ResourcesSentFact): Promise<TakeHomeResource[] | null>;
  /** The next key to arrive (told to switch to a slot we lack: its key is still on its way). */
  nextKey(): Promise<SessionKey>;
  /** The key we hold for a slot, if any. */
  keyAt(keyIndex: number): SessionKey | null;
  /** Sent back to the waiting room: the call rotated without us; the next call starts from the key sealed to us then. */
  forget(): void;
}

export class KeyNotReceivedError extends Error {
  constructor() {
    super('no media key from the therapist');
    this.name = 'KeyNotReceivedError';
  }
}

/** The member's key on a curve, as the current list shows it. */
const keyOn = (member: CallMember | undefined, curve: PublicKeyTag['curve']) => member?.publicKeys.find((k) => k.curve === curve) ?? null;

export function createClientKeys(deps: ClientKeysDeps): ClientKeys {
  let pair: Promise<CallKeyPair> | null = null;
  let tracker: CodeTracker | null = null;
  let sessionId: string | null = null;
  let ownId: string | null = null;
  let members: CallMember[] = [];
  let confirmedCode: string | null = null;
  const keys = new Map<number, SessionKey>();
  let newest: SessionKey | null = null;
  const keyWaiters = new Set<(key: SessionKey) => void>();
  /** Woken by every new list: envelopes that came before the list naming their sender, and key waits. */
  const memberWaiters = new Set<() => void>();
  const hasTherapist = () => members.some((m) => m.memberId === THERAPIST_MEMBER_ID && m.role === 'therapist');

  const makePair = async () => generateCallKeyPair((await supportedCurves())[0] ?? 'P-256');

  async function showCode(): Promise<void> {
    if (!tracker || !sessionId) return;
    const seen = await tracker.update(members);
    deps.onCode({ ...seen, compared: confirmedCode !== null && confirmedCode === seen.code ? 'therapist' : null });
  }

  function setMembers(fact: CallMembersFact) {
    if (sessionId !== null && fact.sessionId !== sessionId) return;
    sessionId = fact.sessionId;
    const hadTherapist = hasTherapist();
    members = fact.members;
    if (hasTherapist() !== hadTherapist) deps.onTherapistInCall(!hadTherapist);
    for (const wake of [...memberWaiters]) wake();
    void showCode();
  }

  /** The sender an envelope must come from: the therapist's key on its curve, in the list now (or very soon). */
  async function therapistKeyFor(curve: PublicKeyTag['curve'], claimed: PublicKeyTag): Promise<PublicKeyTag | null> {
    const find = () => keyOn(members.find((m) => m.memberId === THERAPIST_MEMBER_ID && m.role === 'therapist'), curve);
    const now = find();
    if (now && now.key === claimed.key) return now;
    await new Promise<void>((resolve) => {
      const timer = globalThis.setTimeout(done, 1500);
      function done() {
        globalThis.clearTimeout(timer);
        memberWaiters.delete(done);
        resolve();
      }
      memberWaiters.add(done);
    });
    return find();
  }

  let receiving: Promise<SessionKey | null> = Promise.resolve(null);

  async function open(fact: KeySentFact): Promise<SessionKey | null> {
    if (!pair || (sessionId !== null && fact.sessionId !== sessionId)) return null;
    const own = await pair;
    const sender = await therapistKeyFor(own.publicKey.curve, fact.envelope.from);
    if (!sender) return null;
    let content: Awaited<ReturnType<typeof unwrapMediaKey>>;
    try {
      content = await unwrapMediaKey({ sessionId: fact.sessionId, envelope: fact.envelope, recipient: own, expectedSender: sender });
    } catch (error) {
      if (error instanceof EnvelopeError) return null;
      throw error;
    }
    // The console rejoined while this was being opened: its old key is no longer the call's.
    const stillTherapist = keyOn(members.find((m) => m.memberId === THERAPIST_MEMBER_ID && m.role === 'therapist'), own.publicKey.curve);
    if (!stillTherapist || stillTherapist.key !== sender.key) return null;
    const key: SessionKey = { key: toBase64Url(content.key), keyIndex: fact.envelope.keyIndex };
    keys.set(key.keyIndex, key);
    newest = key;
    if (content.confirmedCode !== confirmedCode) {
      confirmedCode = content.confirmedCode;
      void showCode();
    }
    for (const wake of [...keyWaiters]) wake(key);
    return key;
  }

  async function openResources(fact: ResourcesSentFact): Promise<TakeHomeResource[] | null> {
    if (!pair || ownId === null || sessionId === null || fact.sessionId !== sessionId) return null;
    const own = await pair;
    const sender = await therapistKeyFor(own.publicKey.curve, fact.envelope.from);
    if (!sender) return null;
    try {
      return await openResourceList({ sessionId, participantId: ownId }, fact.envelope, own, sender);
    } catch (error) {
      if (error instanceof EnvelopeError) return null;
      throw error;
    }
  }

  let receivingResources: Promise<TakeHomeResource[] | null> = Promise.resolve(null);

  return {
    stage() {
      pair ??= makePair();
      // The answer is an empty list (a waiting client sees no one): nothing to take from it.
      pair.then((own) => deps.announce([own.publicKey])).catch(() => undefined);
    },

    async announce(participantId) {
      ownId = participantId;
      pair ??= makePair();
      const own = await pair;
      const fact = await deps.announce([own.publicKey]);
      tracker ??= createCodeTracker(fact.sessionId, { memberId: participantId, role: 'client', publicKeys: [own.publicKey] });
      setMembers(fact);
    },

    onMembers: setMembers,

    therapistInCall: hasTherapist,

    receive(fact) {
      // One envelope at a time, in the order they came: a key opened late must not land after a
      // newer one (the newest installed key is the one a switch may name).
      const done = receiving.then(() => open(fact));
      receiving = done.catch(() => null);
      return done;
    },

    waitForKey(graceMs) {
      if (newest) return Promise.resolve(newest);
      return new Promise((resolve, reject) => {
        let timer: ReturnType<typeof globalThis.setTimeout> | undefined;
        const stop = () => {
          globalThis.clearTimeout(timer);
          keyWaiters.delete(wake);
          memberWaiters.delete(arm);
        };
        function arm() {
          if (!hasTherapist()) {
            globalThis.clearTimeout(timer);
            timer = undefined;
          } else if (!timer) {
            timer = globalThis.setTimeout(() => {
              stop();
              reject(new KeyNotReceivedError());
            }, graceMs);
          }
        }
        function wake(key: SessionKey) {
          stop();
          resolve(key);
        }
        keyWaiters.add(wake);
        memberWaiters.add(arm);
        arm();
      });
    },

    receiveResources(fact) {
      // In the order they came: the newest list is the one the console holds now.
      const done = receivingResources.then(() => openResources(fact));
      receivingResources = done.catch(() => null);
      return done;
    },

    nextKey() {
      return new Promise((resolve) => {
        function wake(key: SessionKey) {
          keyWaiters.delete(wake);
          resolve(key);
        }
        keyWaiters.add(wake);
      });
    },

    keyAt: (keyIndex) => keys.get(keyIndex) ?? null,

    forget() {
      keys.clear();
      newest = null;
      confirmedCode = null;
    },
  };
}
