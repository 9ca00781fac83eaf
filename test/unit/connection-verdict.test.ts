import { expect } from 'chai';
import { firstPath, mediaPathOf, verdictOf, type StatsLike } from '../../client/src/call/connection-verdict.ts';

type Report = Record<string, unknown>;

/** A stats report as Chromium gives it: a transport naming its selected pair, the pair, its two candidates. */
function chromiumStats(local: Report, options: { selected?: boolean } = {}): StatsLike {
  const reports: Report[] = [
    { id: 'T01', type: 'transport', ...(options.selected === false ? {} : { selectedCandidatePairId: 'CP1' }) },
    { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'succeeded', nominated: true },
    { id: 'L1', type: 'local-candidate', ...local },
    { id: 'R1', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', address: '198.18.0.11', port: 7882 },
    // Noise that must not be mistaken for the selected pair.
    { id: 'CP2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', state: 'failed' },
    { id: 'L2', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' },
  ];
  return new Map(reports.map((r) => [r.id as string, r]));
}

/** Firefox: no selectedCandidatePairId on a transport; the pair itself says `selected`. */
function firefoxStats(local: Report): StatsLike {
  const reports: Report[] = [
    { id: 'p1', type: 'candidate-pair', localCandidateId: 'l1', remoteCandidateId: 'r1', state: 'succeeded', selected: true, nominated: true },
    { id: 'p2', type: 'candidate-pair', localCandidateId: 'l2', remoteCandidateId: 'r1', state: 'in-progress', selected: false },
    { id: 'l1', type: 'local-candidate', ...local },
    { id: 'l2', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
    { id: 'r1', type: 'remote-candidate', candidateType: 'host', protocol: 'udp' },
  ];
  return new Map(reports.map((r) => [r.id as string, r]));
}

describe('pre-call connection check: stats → verdict', () => {
  it('calls a host or NAT (srflx) address over UDP direct, and ready', () => {
    for (const candidateType of ['host', 'srflx', 'prflx']) {
      const path = mediaPathOf(chromiumStats({ candidateType, protocol: 'udp' }));
      expect(path, candidateType).to.equal('udp');
      expect(verdictOf({ canEncrypt: true, path })).to.equal('ready');
    }
  });

  it('calls ICE over TCP a slower path', () => {
    const path = mediaPathOf(chromiumStats({ candidateType: 'host', protocol: 'tcp' }));
    expect(path).to.equal('tcp');
    expect(verdictOf({ canEncrypt: true, path })).to.equal('slower-path');
  });

  it('calls a TURN relay a slower path, naming its transport (the clinic: TURN over TLS on 443)', () => {
    expect(mediaPathOf(chromiumStats({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' }))).to.equal('relay-tls');
    expect(mediaPathOf(chromiumStats({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' }))).to.equal('relay-tcp');
    expect(mediaPathOf(chromiumStats({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'udp' }))).to.equal('relay-udp');
    // Older browsers leave relayProtocol out: a relay is still a relay.
    expect(mediaPathOf(chromiumStats({ candidateType: 'relay', protocol: 'udp' }))).to.equal('relay-udp');
    for (const path of ['relay-tls', 'relay-tcp', 'relay-udp'] as const) expect(verdictOf({ canEncrypt: true, path })).to.equal('slower-path');
  });

  it('reads Firefox’s selected pair too', () => {
    expect(mediaPathOf(firefoxStats({ candidateType: 'srflx', protocol: 'udp' }))).to.equal('udp');
    expect(mediaPathOf(firefoxStats({ candidateType: 'relay', protocol: 'tcp', relayProtocol: 'tls' }))).to.equal('relay-tls');
  });

  it('finds no path when no pair was selected, and calls that blocked', () => {
    const path = mediaPathOf(chromiumStats({ candidateType: 'host', protocol: 'udp' }, { selected: false }));
    expect(path).to.equal(null);
    expect(mediaPathOf(new Map())).to.equal(null);
    expect(verdictOf({ canEncrypt: true, path: null })).to.equal('blocked');
  });

  it('takes the first peer connection that found a path', () => {
    expect(firstPath([null, 'relay-tls'])).to.equal('relay-tls');
    expect(firstPath(['udp', 'relay-tls'])).to.equal('udp');
    expect(firstPath([null, null])).to.equal(null);
  });

  it('says a browser that cannot encrypt cannot join, whatever the network', () => {
    expect(verdictOf({ canEncrypt: false, path: 'udp' })).to.equal('no-encryption');
    expect(verdictOf({ canEncrypt: false, path: null })).to.equal('no-encryption');
  });
});
