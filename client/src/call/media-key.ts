/** A media key (32 bytes, base64url) and its slot in the key ring, as the therapist's console sealed it. */
export interface SessionKey {
  key: string;
  keyIndex: number;
}
