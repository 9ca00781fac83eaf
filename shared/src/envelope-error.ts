/**
 * The one error of the browser-side sealing code: an envelope (a call key, a take-home list,
 * a sealed note or intake) or a sealing key backup that this browser refuses to open or make.
 * Callers branch on `what` and `reason`, never on the message.
 */
export type EnvelopeKind = 'call-key' | 'resources' | 'sealed' | 'sealing-backup';

export type EnvelopeRefusal =
  | 'wrong-recipient'
  | 'wrong-sender'
  | 'wrong-purpose'
  | 'malformed'
  | 'undecryptable'
  | 'wrong-passphrase'
  | 'weak-passphrase';

export class EnvelopeError extends Error {
  constructor(
    readonly what: EnvelopeKind,
    readonly reason: EnvelopeRefusal,
  ) {
    super(`${what} refused: ${reason}`);
    this.name = 'EnvelopeError';
  }
}
