/**
 * Removing someone from a LiveKit room while they leave it by themselves. LiveKit checks its
 * participant list, then routes the removal to the node that holds the participant; a page that
 * left in between has no node answering for it, and LiveKit says "unavailable" after its routing
 * timeout. That window is about a millisecond wide as a participant leaves (a sweep against the
 * real server hit it once in 60 tries), so no test can put a real LiveKit in it on demand. This
 * one answers the RoomService's HTTP API as LiveKit v1.13 does in that window (the same status,
 * code and message, recorded from the real server); test/integration/media-room-membership.test.ts
 * drives the same sequence against the real LiveKit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createLivekitMediaRooms } from '../../server/src/adapters/livekit/room-service.ts';
import { AppError } from '../../server/src/app-error.ts';
import { createLogger } from '../../server/src/observability/logger.ts';

/** `afterMs`: how long the stand-in takes to answer (LiveKit answers "unavailable" after its 3 s routing timeout). */
type Answer = { status: number; body: object; afterMs?: number };
const NO_NODE: Answer = { status: 503, body: { code: 'unavailable', msg: 'no response from servers' } };
const NOT_FOUND: Answer = { status: 404, body: { code: 'not_found', msg: 'participant does not exist' } };
const LISTED: Answer = { status: 200, body: { sid: 'PA_x', identity: 'p_1', state: 'ACTIVE' } };
const LEAVING: Answer = { status: 200, body: { sid: 'PA_x', identity: 'p_1', state: 'DISCONNECTED' } };

/** What the call was refused with, or null if it succeeded. */
const refusalOf = (call: Promise<unknown>) => call.then(() => null, (error: unknown) => error);

describe('removing a participant who leaves the media room at that moment', () => {
  let server: Server;
  /** Per method: one answer, or a sequence (the last one repeats). */
  let answers: Record<string, Answer | Answer[]>;
  const asked: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const method = req.url?.split('/').pop() ?? '';
      asked.push(method);
      req.resume();
      const planned = answers[method];
      const answer = (Array.isArray(planned) ? (planned.length > 1 ? planned.shift() : planned[0]) : planned) ?? { status: 500, body: { code: 'internal', msg: `unexpected ${method}` } };
      const send = () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      if (answer.afterMs) setTimeout(send, answer.afterMs);
      else send();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function mediaRooms() {
    asked.length = 0;
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { rooms: createLivekitMediaRooms({ url, apiKey: 'devkey', apiSecret: 'a'.repeat(32) }, logger), lines };
  }



  /**
   * A departure: LiveKit had nobody to remove by the time it asked their node, and one look at its
   * list shows them gone or leaving. Done, with one look and no second removal, and no outage warning.
   */
  const DEPARTURES: Array<{ title: string; removal: Answer; listed: Answer }> = [
    { title: 'LiveKit finds nobody to route to, then no longer lists them', removal: NO_NODE, listed: NOT_FOUND },
    { title: 'LiveKit still lists them, but as disconnected (leaving)', removal: NO_NODE, listed: LEAVING },
    // The CI flake of stop 27 (Node 24 tier, send back round 1): LiveKit says "unavailable" only
    // after its own 3 s routing timeout (3,005 ms measured); our client gave up at 3 s.
    { title: "LiveKit's own answer comes only after its 3 s routing timeout", removal: { ...NO_NODE, afterMs: 3_050 }, listed: NOT_FOUND },
    // The CI red after that fix (npm test, send back round 3 of 6, 503 within 5 s): read in psrpc,
    // LiveKit's RPC layer, a node can claim the removal and let the participant go before it runs;
    // LiveKit then waits 3 s for that answer and 1 s per retry for a new claim, past our 4 s.
    { title: 'LiveKit gives no answer within our wait, then no longer lists them', removal: { ...NO_NODE, afterMs: 4_500 }, listed: NOT_FOUND },
    { title: 'LiveKit answers with its own routing timeout (deadline exceeded), then no longer lists them', removal: { status: 408, body: { code: 'deadline_exceeded', msg: 'request timed out' } }, listed: NOT_FOUND },
  ];
  for (const { title, removal, listed } of DEPARTURES) {
    it(`is done when ${title}: one look, no second removal, no outage warning`, async function () {
      this.timeout(10_000);
      answers = { RemoveParticipant: removal, GetParticipant: listed };
      const { rooms, lines } = mediaRooms();
      await rooms.removeParticipant('s_1', 'p_1');
      expect(asked).to.deep.equal(['RemoveParticipant', 'GetParticipant']);
      expect(lines.filter((l) => l.includes('livekit.unavailable'))).to.deep.equal([]);
    });
  }

  // The CI flake after the first fix (Node 24 tier, round 3 of 6): LiveKit answered "unavailable"
  // and still listed the page that had just left as there; asked again, it no longer knew them.
  it('asks once more when LiveKit still lists them as there, and is done when they are gone by then', async () => {
    answers = { RemoveParticipant: [NO_NODE, NOT_FOUND], GetParticipant: LISTED };
    const { rooms, lines } = mediaRooms();
    await rooms.removeParticipant('s_1', 'p_1');
    expect(asked).to.deep.equal(['RemoveParticipant', 'GetParticipant', 'RemoveParticipant']);
    expect(lines.filter((l) => l.includes('livekit.unavailable'))).to.deep.equal([]);
  });

  it('is an outage when LiveKit still lists them after asking twice (the node that held them is gone): 503 and one warning', async () => {
    answers = { RemoveParticipant: NO_NODE, GetParticipant: LISTED };
    const { rooms, lines } = mediaRooms();
    const failure = await refusalOf(rooms.removeParticipant('s_1', 'p_1'));
    expect(failure).to.be.instanceOf(AppError);
    expect((failure as AppError).code).to.equal('service_unavailable');
    expect(asked).to.deep.equal(['RemoveParticipant', 'GetParticipant', 'RemoveParticipant', 'GetParticipant']);
    expect(lines.filter((l) => l.includes('livekit.unavailable'))).to.have.length(1);
  });



  it('is an outage, without a second removal, when LiveKit gives no answer within our wait and still lists them: inside the console timeout, and the warning names no one', async function () {
    this.timeout(12_000);
    answers = { RemoveParticipant: { ...NO_NODE, afterMs: 6_000 }, GetParticipant: LISTED };
    const { rooms, lines } = mediaRooms();
    const started = Date.now();
    const failure = await refusalOf(rooms.removeParticipant('s_1', 'p_1'));
    expect(Date.now() - started).to.be.below(8_000);
    expect((failure as AppError).code).to.equal('service_unavailable');
    expect(asked).to.deep.equal(['RemoveParticipant', 'GetParticipant']);
    const warnings = lines.filter((l) => l.includes('livekit.unavailable'));
    expect(warnings).to.have.length(1);
    expect(JSON.parse(warnings[0]!)).to.deep.include({ method: 'RemoveParticipant', errorName: 'TimeoutError' });
    expect(warnings[0]).to.not.match(/p_1|s_1/u);
  });


  it('mutes nothing, and is no outage, when the client leaves as they are muted', async () => {
    const withMicrophone: Answer = { status: 200, body: { ...LISTED.body, tracks: [{ sid: 'TR_a', type: 'AUDIO', source: 'MICROPHONE', muted: false }] } };
    answers = { GetParticipant: [withMicrophone, NOT_FOUND], MutePublishedTrack: NO_NODE };
    const { rooms, lines } = mediaRooms();
    expect(await rooms.muteMicrophone('s_1', 'p_1')).to.equal(0);
    expect(asked).to.deep.equal(['GetParticipant', 'MutePublishedTrack', 'GetParticipant']);
    expect(lines.filter((l) => l.includes('livekit.unavailable'))).to.deep.equal([]);
  });

  it('is done without a second question when LiveKit no longer lists them at all', async () => {
    answers = { RemoveParticipant: NOT_FOUND };
    const { rooms } = mediaRooms();
    await rooms.removeParticipant('s_1', 'p_1');
    expect(asked).to.deep.equal(['RemoveParticipant']);
  });

  it('does not take another failure for a departure: an internal error stays an outage without asking again', async () => {
    answers = { RemoveParticipant: { status: 500, body: { code: 'internal', msg: 'boom' } } };
    const { rooms } = mediaRooms();
    const failure = await refusalOf(rooms.removeParticipant('s_1', 'p_1'));
    expect((failure as AppError).code).to.equal('service_unavailable');
    expect(asked).to.deep.equal(['RemoveParticipant']);
  });
});
