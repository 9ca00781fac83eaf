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
     * (`MissingKey`) can be a rotated key that is still on its way to us, so it fails the call only
     * if that key has not arrived after a grace period; a key that never comes is still an alarm.
     * A slot *behind* our newest key is the old key of a rotation we joined in the middle of: the
     * others use it only until the switch (at most KEY_READY_TIMEOUT_MS), so we wait for nothing.
     */
    onError(error) {
      const missing = MISSING_KEY_ERROR.exec(error.message);
      if (!missing) return fail();
      const keyIndex = Number(missing[1]);
      if (keyProvider.hasKey(keyIndex) || !keyProvider.isAhead(keyIndex) || missingKeyTimers.has(keyIndex)) return;
      const timer = window.setTimeout(() => {
        missingKeyTimers.delete(keyIndex);
        if (!keyProvider.hasKey(keyIndex) && keyProvider.isAhead(keyIndex)) fail();
      }, MISSING_KEY_GRACE_MS);
      missingKeyTimers.set(keyIndex, timer);
    },
    stop() {
      for (const timer of missingKeyTimers.values()) window.clearTimeout(timer);
      missingKeyTimers.clear();
    },
  };
}
