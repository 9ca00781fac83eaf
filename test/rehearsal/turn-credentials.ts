/**
 * LiveKit's embedded TURN credentials, as livekit-server v1.13.5 makes them
 * (pkg/service/turn.go, TURNAuthHandler): for each participant, at each join,
 *   username   = base62("<api key>|<participant id>|<expiry, unix seconds>")
 *   credential = base62(sha256("<api secret>|<participant id>|<expiry>"))
 * with expiry = join time + turn.ttl_seconds (default 300). The server recomputes the credential
 * from the username, so a changed expiry or participant id is refused, and it refuses an Allocate
 * once the expiry has passed (Refresh and permissions of an existing allocation go on, so a long
 * call keeps its relay). base62 is github.com/jxskiss/base62 v1.1.0 (a bit-packing variant, not
 * a big-number base conversion), ported here so the rehearsal can read and mint credentials.
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const COMPACT_MASK = 0x1e;
const MASK_5_BITS = 0x1f;
const MASK_6_BITS = 0x3f;

/** jxskiss/base62 encodeV2: 6 bits at a time from the end; values 30-31 and 62-63 take 5 bits. */
export function encodeBase62(src: Buffer): string {
  let out = '';
  let pos = src.length * 8;
  const sixBits = () => {
    let r = pos & 7;
    let i = pos >> 3;
    if (r === 0) {
      i -= 1;
      r = 8;
    }
    let b = src[i]! >> (8 - r);
    if (r < 6 && i > 0) b |= (src[i - 1]! << r) & 0xff;
    return b & MASK_6_BITS;
  };
  while (pos > 0) {
    let size = 6;
    let b = sixBits();
    if ((b & COMPACT_MASK) === COMPACT_MASK) {
      if (pos > 6 || b > MASK_5_BITS) size = 5;
      b &= MASK_5_BITS;
    }
    out += ALPHABET[b];
    pos -= size;
  }
  return out;
}

export function decodeBase62(text: string): Buffer {
  const dst = Buffer.alloc(Math.floor((text.length * 6) / 8) + 1);
  let idx = dst.length;
  let pos = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i += 1) {
    const x = ALPHABET.indexOf(text[i]!);
    if (x < 0) throw new Error(`not base62 at ${i}`);
    bits |= x << pos;
    if (i === text.length - 1) pos += x === 0 ? 0 : Math.floor(Math.log2(x)) + 1;
    else pos += (x & COMPACT_MASK) === COMPACT_MASK ? 5 : 6;
    if (pos >= 8) {
      idx -= 1;
      dst[idx] = bits & 0xff;
      pos %= 8;
      bits >>= 8;
    }
  }
  if (pos > 0) {
    idx -= 1;
    dst[idx] = bits & 0xff;
  }
  return dst.subarray(idx);
}

export interface TurnUsername {
  apiKey: string;
  participantId: string;
  expiresAtSeconds: number;
}

export function readTurnUsername(username: string): TurnUsername {
  const parts = decodeBase62(username).toString('utf8').split('|');
  if (parts.length !== 3) throw new Error('not a LiveKit TURN username');
  return { apiKey: parts[0]!, participantId: parts[1]!, expiresAtSeconds: Number(parts[2]) };
}

/** What LiveKit would hand a participant whose credentials expire at `expiresAtSeconds`. */
export function mintTurnCredential(apiSecret: string, user: TurnUsername): { username: string; credential: string } {
  const username = encodeBase62(Buffer.from(`${user.apiKey}|${user.participantId}|${user.expiresAtSeconds}`));
  const credential = encodeBase62(createHash('sha256').update(`${apiSecret}|${user.participantId}|${user.expiresAtSeconds}`).digest());
  return { username, credential };
}
