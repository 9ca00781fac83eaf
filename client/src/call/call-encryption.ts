/**
 * The key ring of one LiveKit Room as the call sees it: installing the call's keys, switching
 * our encryption to the newest once everyone holds it, and what an `EncryptionError` means.
 * Never a silent fallback: a wrong key is an alert at once. (The verification code is the
 * members' public keys, not the media key: `call-code.ts`.)
 */
import { MISSING_KEY_GRACE_MS } from '@alcove/shared';
import type { SessionKey } from './media-key.ts';
import type { SessionKeyProvider } from './session-key-provider.ts';

export type { SessionKey };

export type Encryption = { state: 'on' } | { state: 'failed' };

export interface CallEncryption {
  /** A rotated key: held for decrypting at once, used for encrypting only after `activateKey`. */
  installKey(key: SessionKey): Promise<void>;
  /** Everyone holds the key in this slot now: encrypt with it. */
  activateKey(keyIndex: number): void;
  /** Whether the ring holds the key of a slot (installed, active or not). */
  holdsKey(keyIndex: number): boolean;
  /** livekit-client's `EncryptionError`. */
  onError(error: Error): void;
  /** The Room is gone: no alert may follow. */
  stop(): void;
}

/** How livekit-client's worker words a frame under a key index we do not hold (the message is all it passes on). */
const MISSING_KEY_ERROR = /^MissingKey:.*\bat index (\d+)/u;

export function createCallEncryption(keyProvider: SessionKeyProvider, onEncryption: (encryption: Encryption) => void): CallEncryption {
  const missingKeyTimers = new Map<number, number>();
  let failed = false;
  /** The slot we were last told to encrypt with, even if its key is not installed yet. */
  let wantedKeyIndex: number | null = null;

  const fail = () => {
    failed = true;
    onEncryption({ state: 'failed' });
  };

  function activateKey(keyIndex: number): void {
    wantedKeyIndex = keyIndex;
    // After a failure the alert stays: the call has to be left and joined again.
    if (keyProvider.activateKey(keyIndex) && !failed) onEncryption({ state: 'on' });
  }

  return {
    async installKey(key) {
      await keyProvider.installKey(key.key, key.keyIndex);
      // The switch can overtake a slow install (or a key that came late): it applies once the key is in.
      if (wantedKeyIndex === key.keyIndex) activateKey(key.keyIndex);
    },
    activateKey,
    holdsKey: (keyIndex) => keyProvider.hasKey(keyIndex),
    /**
     * A wrong key (`InvalidKey`) fails the call at once. A frame under a key index we do not hold
     * (`MissingKey`) is not yet a failure: it may be a rotated key still on its way to us, or the
     * old key of someone who has not switched yet (a rotation we joined in the middle of, or a
     * console that rejoined with a new key while they still held the last one). Only a key that
     * never arrives is: if, after the grace period, we still lack the key we were told to encrypt
     * with, the call fails. Someone else's old slot is theirs to leave — their own call raises the
     * alarm if the key they were told to switch to never reaches them.
     */
    onError(error) {
      const missing = MISSING_KEY_ERROR.exec(error.message);
      if (!missing) return fail();
      const keyIndex = Number(missing[1]);
      if (keyProvider.hasKey(keyIndex) || missingKeyTimers.has(keyIndex)) return;
      const timer = window.setTimeout(() => {
        missingKeyTimers.delete(keyIndex);
        const keyNeverCame = wantedKeyIndex !== null && !keyProvider.hasKey(wantedKeyIndex);
        if (!keyProvider.hasKey(keyIndex) && keyNeverCame) fail();
      }, MISSING_KEY_GRACE_MS);
      missingKeyTimers.set(keyIndex, timer);
    },
    stop() {
      for (const timer of missingKeyTimers.values()) window.clearTimeout(timer);
      missingKeyTimers.clear();
    },
  };
}
