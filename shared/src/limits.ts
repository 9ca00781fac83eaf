/** Size limits enforced at every edge (HTTP and Socket.io). Units are in the names. */
export const DISPLAY_NAME_MAX_CHARS = 40;
export const WAITING_ROOM_MESSAGE_MAX_CHARS = 280;
/** A client's private note to the therapist (sealed in the browser; one per client, replaceable). */
export const PRIVATE_NOTE_MAX_CHARS = 500;
export const EMAIL_MAX_CHARS = 254;
export const PASSWORD_MIN_CHARS = 12;
export const PASSWORD_MAX_CHARS = 256;
export const INVITE_SECRET_BYTES = 32;
export const DEVICE_ID_MAX_CHARS = 64;
export const OPAQUE_ID_MAX_CHARS = 64;
export const SESSION_DURATION_MAX_MINUTES = 240;
/** Largest HTTP JSON body and Socket.io message the server accepts. */
export const HTTP_BODY_MAX_BYTES = 16 * 1024;
export const SOCKET_PAYLOAD_MAX_BYTES = 16 * 1024;
