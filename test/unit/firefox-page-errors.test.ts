import { expect } from 'chai';
import { unexplainedPageErrors } from '../support/firefox.ts';

/** The Firefox tests' page-error check lets through only what a known LiveKit socket close explains. */
describe('the page errors a Firefox test reports', () => {
  const interrupted = 'The connection to ws://127.0.0.1:26160/rtc/v1?access_token=abc.def.ghi&join_request=CAES was interrupted while the page was loading.';
  const closeAfterError = 'TypeError: ReadableStreamDefaultController.close: Cannot close a stream that has errored.';

  it('drops an unclean close of LiveKit’s signalling socket, and the TypeError livekit-client throws with it', () => {
    expect(unexplainedPageErrors([interrupted, closeAfterError])).to.deep.equal([]);
    expect(unexplainedPageErrors([interrupted])).to.deep.equal([]);
  });

  it('keeps the TypeError when no unclean close explains it, and one for each close too many', () => {
    expect(unexplainedPageErrors([closeAfterError])).to.deep.equal([closeAfterError]);
    expect(unexplainedPageErrors([interrupted, closeAfterError, closeAfterError])).to.deep.equal([closeAfterError]);
  });

  it('keeps every other error, and interrupted sockets that are not LiveKit’s signalling', () => {
    const socketIo = 'The connection to ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket was interrupted while the page was loading.';
    const ours = 'TypeError: can’t access property "setCamera", call() is null';
    expect(unexplainedPageErrors([socketIo, ours, interrupted])).to.deep.equal([socketIo, ours]);
  });
});
