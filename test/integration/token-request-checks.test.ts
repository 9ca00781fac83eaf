import { expect } from 'chai';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { callRoute } from '../support/api-client.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, newDeviceId, nextEvent } from '../support/socket-clients.ts';

/*
 * The token request reads everything it decides on in one Redis script (token-redemption-store.ts).
 * These are the decisions that read makes possible, each proved against a real Redis and app.
 */
const TOKEN_LIMIT = 5;

describe('media token requests keep every check of a handshake', () => {
  const ctx = useTherapistApp({ env: { TOKEN_REQUESTS_PER_INVITE_PER_MINUTE: String(TOKEN_LIMIT) } });

  async function admittedCouple() {
    const { session, secrets, invites } = await ctx.therapist.createSession('couple');
    const devices = [newDeviceId(), newDeviceId()];
    for (const [i, secret] of secrets.entries()) {
      const client = ctx.track(await connectClient(ctx.t.origin, secret, devices[i]!));
      expect(await command(client, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })).to.deep.include({ ok: true });
      const admitted = nextEvent(client, FACTS.admitted);
      expect(await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[i]!.participantId })).to.deep.include({ ok: true });
      await admitted;
    }
    return { session, secrets, invites, devices };
  }

  const requestToken = (invite: string, deviceId: string) => callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } });

  it('refuses an invite more tokens than its per-minute limit, with a retry-after, and leaves the partner unaffected', async () => {
    const { secrets, devices } = await admittedCouple();
    for (let i = 0; i < TOKEN_LIMIT; i += 1) expect((await requestToken(secrets[0]!, devices[0]!)).status).to.equal(200);
    const refused = await requestToken(secrets[0]!, devices[0]!);
    expect(refused.status).to.equal(429);
    expect(refused.body.error.code).to.equal('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    expect((await requestToken(secrets[1]!, devices[1]!)).status).to.equal(200);
  });

  it('refuses a token to a device that does not hold the participant’s lease', async () => {
    const { secrets } = await admittedCouple();
    const other = await requestToken(secrets[0]!, newDeviceId());
    expect(other.status).to.equal(409);
    expect(other.body.error.code).to.equal('device_in_use');
  });

  it('treats a removed participant’s invite as invalid and counts it as a failure of the address', async () => {
    const { session, secrets, invites, devices } = await admittedCouple();
    expect(await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[0]!.participantId })).to.deep.include({ ok: true });
    const refused = await requestToken(secrets[0]!, devices[0]!);
    expect(refused.status).to.equal(404);
    expect(refused.body.error.code).to.equal('invalid_invite');
    const failures = await ctx.t.app.redis.keys(`${ctx.t.config.redis.prefix}rate:invite-fail:*`);
    expect(failures).to.have.length(1);
    expect(await ctx.t.app.redis.get(failures[0]!)).to.equal('1');
    // The partner who stays is not affected by the address's failure.
    expect((await requestToken(secrets[1]!, devices[1]!)).status).to.equal(200);
  });

  it('refuses a token to a participant sent back to the waiting room', async () => {
    const { session, secrets, invites, devices } = await admittedCouple();
    expect(await command(ctx.consoleSocket, COMMANDS.sendBack, { sessionId: session.sessionId, participantId: invites[1]!.participantId })).to.deep.include({ ok: true });
    const refused = await requestToken(secrets[1]!, devices[1]!);
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal('not_admitted');
  });
});
