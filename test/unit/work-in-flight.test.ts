/** What a drain waits for before it closes sockets and Redis (server/src/transport/socket/work-in-flight.ts). */
import { expect } from 'chai';
import { createWorkInFlight } from '../../server/src/transport/socket/work-in-flight.ts';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('work in flight', () => {
  it('is settled at once when nothing runs', async () => {
    expect(await createWorkInFlight().settled(10_000)).to.equal(true);
  });

  it('settles when the last tracked work ends, whether it succeeded or failed', async () => {
    const work = createWorkInFlight();
    const first = deferred();
    const second = deferred();
    const tracked = [work.track(first.promise), work.track(second.promise).catch(() => 'failed')];
    let settled: boolean | null = null;
    const waiting = work.settled(10_000).then((value) => (settled = value));
    first.resolve();
    await tracked[0];
    expect(settled, 'one of two still runs').to.equal(null);
    second.reject(new Error('redis went away'));
    expect(await tracked[1]).to.equal('failed');
    await waiting;
    expect(settled).to.equal(true);
  });

  it('gives up after the wait with work still running, and returns tracked results unchanged', async () => {
    const work = createWorkInFlight();
    const never = new Promise<void>(() => undefined);
    void work.track(never);
    expect(await work.settled(20)).to.equal(false);
    expect(await work.track(Promise.resolve(42))).to.equal(42);
  });
});
