import { DISPLAY_NAME_MAX_CHARS } from './limits.ts';

// C0/C1 controls, and the Unicode bidi embedding/override/isolate marks that
// can make a name render as something else (e.g. "Dr. Smith" spoofing).
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

// Unicode's Default_Ignorable_Code_Point property: code points a renderer shows as
// nothing (U+200B–U+200D, U+2060, U+3164 HANGUL FILLER, U+206A–U+206F, the tag
// characters U+E0000–U+E0FFF…). A name made of them looks blank in the therapist's
// console. Variation selectors are the one exception: they only choose how the
// character before them is drawn (the red heart in "❤️"), never add a blank.
const INVISIBLE = /(?![\ufe00-\ufe0f\u{e0100}-\u{e01ef}])\p{Default_Ignorable_Code_Point}/u;

// At least one code point that draws ink: a letter, digit, punctuation or symbol.
// U+2800 BRAILLE PATTERN BLANK is a symbol that draws nothing.
const VISIBLE = /(?!\u2800)[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * Normalises a display name the way the server stores it. Returns null when the
 * name is not acceptable. Length is counted in code points after NFC and trim.
 */
export function normaliseDisplayName(input: string): string | null {
  if (FORBIDDEN_CHARS.test(input) || INVISIBLE.test(input)) return null;
  const name = input.normalize('NFC').trim().replace(/\s+/gu, ' ');
  const length = [...name].length;
  if (length < 1 || length > DISPLAY_NAME_MAX_CHARS || !VISIBLE.test(name)) return null;
  return name;
}
