/**
 * Where the console keeps the therapist's sealing key pair: this browser's IndexedDB, so it
 * survives a reload. The private key is a non-extractable CryptoKey (IndexedDB stores the object;
 * no script, ours included, can read its bytes). Beside it we keep the passphrase-wrapped backup
 * made with the pair, so "Download key backup" works later: it is useless without the passphrase.
 * Nothing here is ever sent to the server but the public key.
 */
import type { CallKeyPair, SealingKeyBackup } from '@alcove/shared';

const DB_NAME = 'alcove-sealing';
const STORE = 'keys';

export interface HeldSealingKey {
  pair: CallKeyPair;
  backup: SealingKeyBackup;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The key this browser holds for this therapist, if any (one browser may serve two accounts). */
export async function loadSealingKey(therapistId: string): Promise<HeldSealingKey | null> {
  const found = (await run('readonly', (s) => s.get(therapistId))) as HeldSealingKey | undefined;
  return found?.pair?.privateKey ? found : null;
}

export async function saveSealingKey(therapistId: string, held: HeldSealingKey): Promise<void> {
  await run('readwrite', (s) => s.put(held, therapistId));
}

/** The backup as a file made in the browser (a Blob), nothing sent anywhere. */
export function downloadFile(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
