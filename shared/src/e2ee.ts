/** End-to-end encryption facts shared by server and browser. Runs on WebCrypto (browsers and Node ≥ 20). */

/**
 * Size of the browser key ring; key indices wrap around it. livekit-client's largest (the index
 * travels as one byte in each frame's trailer), not its default 16: a console that rejoins picks
 * its first slot at random, and must not land on the slot the others still encrypt with (or the
 * one its previous self had just sealed) — with 256 slots that is 2 chances in 256, not in 16.
 */
export const E2EE_KEYRING_SIZE = 256;

/**
 * The verification code people read aloud is not derived from the media key any more: it is
 * the members' public keys (`deriveCallCode` in call-members.ts), made and sealed by the browsers.
 */
