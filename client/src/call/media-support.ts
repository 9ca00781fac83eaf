/** What the browser can do, and what went wrong with a camera or microphone, in words the views can explain. */
export type MediaProblem = 'denied' | 'not-found' | 'in-use' | 'unsupported' | 'insecure' | 'unknown';

export function browserProblem(): MediaProblem | null {
  if (!window.isSecureContext) return 'insecure';
  if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === 'undefined' || typeof WebSocket === 'undefined') return 'unsupported';
  // The call's keys are made and sealed with WebCrypto (ECDH, HKDF, AES-GCM): without it, no call at all.
  if (typeof globalThis.crypto?.subtle?.deriveBits !== 'function') return 'unsupported';
  return null;
}

export function classifyMediaError(error: unknown): MediaProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'not-found';
    case 'NotReadableError':
    case 'AbortError':
      return 'in-use';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'unknown';
  }
}

export class MediaAccessError extends Error {
  constructor(
    readonly problem: MediaProblem,
    readonly device: 'camera' | 'microphone',
  ) {
    super(`${device}: ${problem}`);
    this.name = 'MediaAccessError';
  }
}

export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}
