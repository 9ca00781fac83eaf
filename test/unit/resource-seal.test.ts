import { expect } from 'chai';
import { generateCallKeyPair } from '../../shared/src/key-exchange.ts';
import { openResourceList, RESOURCE_ENVELOPE_DATA_CHARS, sealResourceList } from '../../shared/src/resource-seal.ts';
import { RESOURCE_TITLE_MAX_CHARS, RESOURCE_URL_MAX_CHARS, TAKE_HOME_RESOURCES_MAX } from '../../shared/src/take-home-resources.ts';
import { refusal } from '../support/envelope-refusal.ts';

const binding = { sessionId: 's_1', participantId: 'p_kai' };
const list = [{ title: 'Come as You Are', url: 'https://example.org/book' }];


describe('the take-home list sealed from the therapist to one client', () => {
  it('opens for its client, from the therapist key in the member list', async () => {
    const [therapist, kai] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('X25519')]);
    const envelope = await sealResourceList(binding, therapist, kai.publicKey, list);
    expect(await openResourceList(binding, envelope, kai, therapist.publicKey)).to.deep.equal(list);
    expect(JSON.stringify(envelope)).to.not.contain('example.org').and.not.contain('Come as');
  });

  it('has one size whatever the list holds, and the largest list fits', async () => {
    const [therapist, kai] = await Promise.all([generateCallKeyPair('P-256'), generateCallKeyPair('P-256')]);
    const biggest = Array.from({ length: TAKE_HOME_RESOURCES_MAX }, () => ({
      title: '😀'.repeat(RESOURCE_TITLE_MAX_CHARS),
      url: `https://example.org/${'a'.repeat(RESOURCE_URL_MAX_CHARS - 20)}`,
    }));
    const small = await sealResourceList(binding, therapist, kai.publicKey, []);
    const large = await sealResourceList(binding, therapist, kai.publicKey, biggest);
    expect(small.data.length).to.equal(RESOURCE_ENVELOPE_DATA_CHARS);
    expect(large.data.length).to.equal(RESOURCE_ENVELOPE_DATA_CHARS);
    expect(await openResourceList(binding, large, kai, therapist.publicKey)).to.deep.equal(biggest);
  });

  it('refuses a list from anyone but the expected therapist key, to anyone else, or moved to another session or person', async () => {
    const [therapist, kai, sam, impostor] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('X25519'), generateCallKeyPair('X25519'), generateCallKeyPair('X25519')]);
    const envelope = await sealResourceList(binding, therapist, kai.publicKey, list);
    expect(await refusal(openResourceList(binding, envelope, sam, therapist.publicKey), 'resources')).to.equal('wrong-recipient');
    expect(await refusal(openResourceList(binding, envelope, kai, impostor.publicKey), 'resources')).to.equal('wrong-sender');
    // Sam's browser (a client) seals to Kai and claims to be the therapist: Kai expects the therapist's key.
    const fromSam = await sealResourceList(binding, sam, kai.publicKey, list);
    expect(await refusal(openResourceList(binding, { ...fromSam, from: therapist.publicKey }, kai, therapist.publicKey), 'resources')).to.equal('undecryptable');
    expect(await refusal(openResourceList({ ...binding, sessionId: 's_2' }, envelope, kai, therapist.publicKey), 'resources')).to.equal('undecryptable');
    expect(await refusal(openResourceList({ ...binding, participantId: 'p_sam' }, envelope, kai, therapist.publicKey), 'resources')).to.equal('undecryptable');
    expect(await refusal(openResourceList(binding, { ...envelope, data: envelope.data.slice(1) }, kai, therapist.publicKey), 'resources')).to.equal('malformed');
  });

  it('never seals a list a client would refuse', async () => {
    const [therapist, kai] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('X25519')]);
    for (const bad of [[{ title: 'x', url: 'http://example.org/' }], Array.from({ length: 6 }, () => list[0]!)]) {
      let thrown: unknown;
      await sealResourceList(binding, therapist, kai.publicKey, bad).catch((error: unknown) => (thrown = error));
      expect(thrown).to.be.instanceOf(RangeError);
    }
  });
});
