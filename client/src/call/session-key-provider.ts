/**
 * End-to-end encryption of the call with the call's media key. The therapist's
 * console makes it and seals it to each admitted browser's public key
 * (`key-authority.ts`, `client-keys.ts`); neither our server nor LiveKit ever
 * sees it.
 *
 * A rotated key is first *installed* in its own key-ring slot, beside the old
 * one, so frames under either key decrypt; only when the console says everyone
 * holds it is it *activated* for our own encryption. livekit-client's
 * `onSetEncryptionKey` does both at once (any key set with an index becomes
 * the one we encrypt with), which is what made the others miss frames, so
 * this provider emits the key events itself and keeps its own key ring.
 *
 * The key is 32 random bytes, so the frame key is derived with HKDF, not with
 * PBKDF2's 100,000 rounds (meant for passphrases): installing takes well under a
 * millisecond in the worker, so a browser's "I hold it" is true by the time
 * anyone can act on it.
 */
import { createKeyMaterialFromBuffer, ExternalE2EEKeyProvider, isE2EESupported, KeyProviderEvent, type KeyInfo } from 'livekit-client';
import E2eeWorker from 'livekit-client/e2ee-worker?worker';

/** The media key travels base64url (no padding); HKDF wants the raw bytes. */
function keyBytes(key: string): ArrayBuffer {
  const binary = atob(key.replace(/-/gu, '+').replace(/_/gu, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0)).buffer;
}

export class SessionKeyProvider extends ExternalE2EEKeyProvider {
  private readonly ring = new Map<number, KeyInfo>();
  private activeIndex: number | null = null;
  private newestIndex: number | null = null;

  private installing: Promise<void> = Promise.resolve();

  /**
   * Puts the key in its slot for decrypting; what we encrypt with does not change. Installs run
   * one after the other, in the order asked, so the newest key is the one given last.
   */
  installKey(key: string, keyIndex: number): Promise<void> {
    const done = this.installing.then(async () => {
      const info: KeyInfo = { key: await createKeyMaterialFromBuffer(keyBytes(key)), keyIndex };
      this.ring.set(keyIndex, info);
      this.newestIndex = keyIndex;
      this.emit(KeyProviderEvent.SetKey, info, false);
    });
    this.installing = done.catch(() => undefined);
    return done;
  }

  /**
   * Encrypts with the key in `keyIndex` from now on. Only the newest installed key can be
   * activated: a late switch to an older one (two removals in a row) is ignored.
   */
  activateKey(keyIndex: number): boolean {
    const info = this.ring.get(keyIndex);
    if (!info || keyIndex !== this.newestIndex) return false;
    if (keyIndex === this.activeIndex) return true;
    this.activeIndex = keyIndex;
    this.emit(KeyProviderEvent.SetKey, info, true);
    return true;
  }

  hasKey(keyIndex: number): boolean {
    return this.ring.has(keyIndex);
  }

  // LiveKit re-sends these to its worker on (re)connection: the ring as we hold it, and
  // which slot we encrypt with — not merely the slot set last.
  override getKeys(): KeyInfo[] {
    return [...this.ring.values()];
  }

  override getLatestManuallySetKeyIndex(): number {
    return this.activeIndex ?? 0;
  }
}

/** The LiveKit E2EE worker, bundled by Vite as a same-origin file (CSP `worker-src 'self'`). */
export function createE2eeWorker(): Worker {
  return new E2eeWorker();
}

export function canEncrypt(): boolean {
  return isE2EESupported();
}
