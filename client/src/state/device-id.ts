/**
 * A random id for this browser tab, so the server can tell "the same person
 * reloading" from "the link opened on a second device". sessionStorage keeps it
 * across reloads of this tab only.
 */
const DEVICE_KEY = 'alcove.device';

function randomBase64Url(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...buffer)).replace(/\+/gu, '-').replace(/\//gu, '_').replace(/=+$/u, '');
}

export function deviceId(): string {
  try {
    const stored = sessionStorage.getItem(DEVICE_KEY);
    if (stored && /^[A-Za-z0-9_-]{8,64}$/u.test(stored)) return stored;
    const fresh = randomBase64Url(18);
    sessionStorage.setItem(DEVICE_KEY, fresh);
    return fresh;
  } catch {
    return (fallback ??= randomBase64Url(18));
  }
}

let fallback: string | undefined;
