/**
 * The therapist's login lives in one httpOnly, SameSite=Strict cookie. Over
 * https it is a `__Host-` cookie (Secure, Path=/, no Domain); browsers refuse
 * that prefix without Secure, so plain-http local development uses a plain name.
 *
 * The cookie keeps its historical wire name `alcove_session` (it is the login,
 * not a therapy session): renaming it would sign every therapist out at the
 * upgrade and break clients that read it.
 */
export function loginCookieName(isSecure: boolean): string {
  return isSecure ? '__Host-alcove_session' : 'alcove_session';
}

export function serializeLoginCookie(isSecure: boolean, value: string, maxAgeSeconds: number): string {
  const parts = [`${loginCookieName(isSecure)}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (isSecure) parts.push('Secure');
  return parts.join('; ');
}

export function clearLoginCookie(isSecure: boolean): string {
  return serializeLoginCookie(isSecure, '', 0);
}

/** Reads our one cookie from a Cookie header; ignores everything else. */
export function readLoginCookie(cookieHeader: string | undefined, isSecure: boolean): string | null {
  if (!cookieHeader || cookieHeader.length > 8192) return null;
  const name = loginCookieName(isSecure);
  for (const part of cookieHeader.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      return value.length > 0 && value.length < 4096 ? value : null;
    }
  }
  return null;
}
