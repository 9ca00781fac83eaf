/**
 * The invite secret arrives only in the URL fragment (never sent to a server).
 * It is taken out of the address bar at once so it does not stay in history,
 * bookmarks or screen shares, and kept in this tab's sessionStorage so a reload
 * returns to the same place; closing the tab forgets it.
 */
const INVITE_KEY = 'alcove.invite';
const INVITE_SHAPE = /^[A-Za-z0-9_-]{22,64}$/u;

/** Call before anything else runs. Returns true if a new invite replaced an older one. */
export function takeInviteFromFragment(): boolean {
  const fragment = location.hash.slice(1);
  if (!fragment) return false;
  history.replaceState(null, '', location.pathname);
  if (!INVITE_SHAPE.test(fragment)) return false;
  const previous = readStored();
  try {
    sessionStorage.setItem(INVITE_KEY, fragment);
  } catch {
    memoryInvite = fragment;
  }
  return previous !== fragment;
}

let memoryInvite: string | null = null;

function readStored(): string | null {
  try {
    return sessionStorage.getItem(INVITE_KEY) ?? memoryInvite;
  } catch {
    return memoryInvite;
  }
}

export function currentInvite(): string | null {
  return readStored();
}

export function forgetInvite(): void {
  memoryInvite = null;
  try {
    sessionStorage.removeItem(INVITE_KEY);
  } catch {
    // nothing stored
  }
}
