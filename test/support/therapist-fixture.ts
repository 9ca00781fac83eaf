/**
 * The usual integration-test set-up as one mocha fixture: a whole app on a free
 * port (real Redis, real LiveKit), a signed-in therapist, their console socket,
 * and client sockets that are closed after each test.
 */
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.ts';
import { loginTherapist, type TherapistClient } from './api-client.ts';
import { connectTherapist, type TypedClientSocket } from './socket-clients.ts';

export interface TherapistFixture {
  t: TestApp;
  therapist: TherapistClient;
  consoleSocket: TypedClientSocket;
  /** Closes the socket after the current test. */
  track(socket: TypedClientSocket): TypedClientSocket;
}

export function useTherapistApp(options: TestAppOptions = {}): TherapistFixture {
  const sockets: TypedClientSocket[] = [];
  const fixture = {
    track: (socket: TypedClientSocket) => (sockets.push(socket), socket),
  } as TherapistFixture;
  before(async () => {
    fixture.t = await startTestApp(options);
    const account = await fixture.t.addTherapist();
    fixture.therapist = await loginTherapist(fixture.t.origin, account.email, account.password);
    fixture.consoleSocket = await connectTherapist(fixture.t.origin, fixture.therapist.cookie);
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  after(async () => {
    fixture.consoleSocket?.close();
    await fixture.t?.close();
  });
  return fixture;
}
