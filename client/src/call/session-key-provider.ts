/**
 * End-to-end encryption of the call with the session's key. The key comes from
 * our server over the authenticated socket, only to admitted people; LiveKit
 * never sees it. Rotation after a removal puts the new key in its own key-ring
 * slot, so frames in flight under the old key still decrypt.
 */
import { createKeyMaterialFromString, ExternalE2EEKeyProvider, isE2EESupported } from 'livekit-client';
import E2eeWorker from 'livekit-client/e2ee-worker?worker';

export class SessionKeyProvider extends ExternalE2EEKeyProvider {
  async setSessionKey(key: string, keyIndex: number): Promise<void> {
    this.onSetEncryptionKey(await createKeyMaterialFromString(key), undefined, keyIndex);
  }
}

/** The LiveKit E2EE worker, bundled by Vite as a same-origin file (CSP `worker-src 'self'`). */
export function createE2eeWorker(): Worker {
  return new E2eeWorker();
}

export function canEncrypt(): boolean {
  return isE2EESupported();
}
