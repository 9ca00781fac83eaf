/**
 * One bare run: a fresh LiveKit room, a "therapist" page that publishes the fake camera (and
 * microphone), and a measured page in its own browser context that joins with a token the bench
 * minted beforehand (the same talk-only grant Alcove's server signs), in one of three orders.
 * Time zero is the moment the measured page starts connecting.
 */
import { randomBytes } from 'node:crypto';
import { RoomServiceClient } from 'livekit-server-sdk';
import { createLivekitTokenSigner } from '../../server/src/adapters/livekit/media-token-signer.ts';
import { livekitApiHost } from '../../server/src/adapters/livekit/room-service.ts';
import { newPerson, type E2eBrowser } from '../../test/support/browser.ts';
import type { LivekitStack } from '../../test/support/livekit-stack.ts';
import { watchJoinPhases, type JoinPhaseMarks } from '../join-phases.ts';
import { watchFirstFrame, type FirstFrameTimeline } from '../first-frame-timeline.ts';
import type { JoinOrder, JoinRequest, PublisherSetup, PublishRequest, SubscriberSetup } from './page-entry.ts';

const TOKEN_TTL_SECONDS = 600;

export interface BareJoinSample {
  startedAt: number;
  timeline: FirstFrameTimeline;
  /** What the measured room went through (signal connected, tracks subscribed, encryption errors), wall clock. */
  events: { at: number; event: string }[];
  /** When its signalling socket opened and answered (the token and key phases stay empty: both are in hand). */
  marks: JoinPhaseMarks;
}

export function createBareJoinRuns(deps: { browser: E2eBrowser; livekit: LivekitStack; pageOrigin: string; trace: boolean }) {
  const rooms = new RoomServiceClient(livekitApiHost(deps.livekit.url), deps.livekit.apiKey, deps.livekit.apiSecret);
  const signer = createLivekitTokenSigner(deps.livekit);
  const token = (roomName: string, identity: string) => signer.sign({ identity, name: identity, roomName, ttlSeconds: TOKEN_TTL_SECONDS });

  return async function runOnce(order: JoinOrder, setup: PublisherSetup = 'alcove', subscriber: SubscriberSetup = 'default'): Promise<BareJoinSample> {
    const roomName = `bare-${randomBytes(6).toString('hex')}`;
    const key = order === 'plain' ? null : randomBytes(32).toString('base64');
    await rooms.createRoom({ name: roomName, emptyTimeout: 60, maxParticipants: 4 });
    const publisher = await newPerson(deps.browser, { origin: deps.pageOrigin });
    const viewer = await newPerson(deps.browser, { origin: deps.pageOrigin });
    const marks = watchJoinPhases(viewer.page);
    try {
      await publisher.page.goto(deps.pageOrigin);
      await publisher.page.waitForFunction(() => (globalThis as any).bareLivekit !== undefined);
      const publish: PublishRequest = { url: deps.livekit.url, token: await token(roomName, 'publisher'), key, setup };
      await publisher.page.evaluate((request) => (globalThis as any).bareLivekit.publish(request), publish);

      await viewer.page.goto(deps.pageOrigin);
      await viewer.page.waitForFunction(() => (globalThis as any).bareLivekit !== undefined);
      const join: JoinRequest = { url: deps.livekit.url, token: await token(roomName, 'viewer'), key, order, subscriber, trace: deps.trace };
      if (deps.trace) await publisher.page.evaluate(() => (globalThis as any).bareLivekit.startLayerWatch());
      const firstFrame = watchFirstFrame(viewer.page);
      const { startedAt } = (await viewer.page.evaluate((request) => (globalThis as any).bareLivekit.join(request), join)) as { startedAt: number };
      const timeline = await firstFrame;
      const events = (await viewer.page.evaluate(() => (globalThis as any).__bareEvents)) as BareJoinSample['events'];
      if (deps.trace) events.push(...((await publisher.page.evaluate(() => (globalThis as any).bareLivekit.stopLayerWatch())) as BareJoinSample['events']).map((e) => ({ ...e, at: e.at || timeline.firstFrameAt })));
      return { startedAt, timeline, events, marks };
    } finally {
      await viewer.page.evaluate(() => (globalThis as any).bareLivekit?.leave()).catch(() => undefined);
      await publisher.page.evaluate(() => (globalThis as any).bareLivekit?.leave()).catch(() => undefined);
      await viewer.close();
      await publisher.close();
      await rooms.deleteRoom(roomName).catch(() => undefined);
    }
  };
}
