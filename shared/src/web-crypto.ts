/** WebCrypto as both the browser and Node 20+ expose it, and the UTF-8 bytes it signs and seals. */
export type Subtle = typeof globalThis.crypto.subtle;

export const subtle = (): Subtle => globalThis.crypto.subtle;
export const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
