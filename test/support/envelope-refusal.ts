/** Why the sealing code refused an envelope (or a backup); fails the test if it was accepted, or failed otherwise. */
import { expect } from 'chai';
import { EnvelopeError, type EnvelopeKind, type EnvelopeRefusal } from '@alcove/shared';

export async function refusal(promise: Promise<unknown>, what: EnvelopeKind): Promise<EnvelopeRefusal> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(EnvelopeError);
    expect((error as EnvelopeError).what).to.equal(what);
    return (error as EnvelopeError).reason;
  }
  throw new Error(`the ${what} envelope was accepted, but should have been refused`);
}
