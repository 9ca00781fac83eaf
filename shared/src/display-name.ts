import { DISPLAY_NAME_MAX_CHARS } from './limits.ts';

// C0/C1 controls, and the Unicode bidi embedding/override/isolate marks that
// can make a name render as something else (e.g. "Dr. Smith" spoofing).
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/**
 * Normalises a display name the way the server stores it. Returns null when the
 * name is not acceptable. Length is counted in code points after NFC and trim.
 */
export function normaliseDisplayName(input: string): string | null {
  if (FORBIDDEN_CHARS.test(input)) return null;
  const name = input.normalize('NFC').trim().replace(/\s+/gu, ' ');
  const length = [...name].length;
  if (length < 1 || length > DISPLAY_NAME_MAX_CHARS) return null;
  return name;
}
