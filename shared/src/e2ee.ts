/** End-to-end encryption facts shared by server and browser. Runs on WebCrypto (browsers and Node ≥ 20). */

/** Size of the browser key ring (livekit-client's default); key indices wrap around it. */
export const E2EE_KEYRING_SIZE = 16;

/**
 * The verification code people read aloud is not derived from the media key any more: it is
 * the members' public keys (`deriveCallCode` in call-members.ts), made and sealed by the browsers.
 */
