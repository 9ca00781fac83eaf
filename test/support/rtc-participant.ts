/**
 * A real LiveKit participant in Node (@livekit/rtc-node: the native WebRTC stack
 * LiveKit ships for servers), so tests see what LiveKit itself does to a
 * participant: joined, kicked, room deleted.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  AudioFrame,
  AudioSource,
  DisconnectReason,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
  dispose,
} from '@livekit/rtc-node';

export { DisconnectReason };

// rtc-node logs every connect to stdout at debug level unless NODE_ENV is
// 'production', and does not export its logger: quiet it through its own module
// (the package's ESM entry re-exports its CommonJS build, so this is the same instance).
try {
  const require = createRequire(import.meta.url);
  const { log } = require(join(dirname(require.resolve('@livekit/rtc-node')), 'log.cjs')) as { log: { level: string } };
  log.level = 'warn';
} catch {
  // A release that moved its logger only makes the test output noisier.
}

const CONNECT_TIMEOUT_MS = 15_000;
const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = SAMPLE_RATE / 100; // 10 ms

export interface MediaParticipant {
  room: Room;
  identity: string;
  /** LiveKit's reason once this participant is disconnected (by anyone); rejects after a bounded wait. */
  whenDisconnected(timeoutMs?: number): Promise<DisconnectReason>;
  isConnected(): boolean;
  /** Publishes a real microphone track fed with silence; resolves with its track sid. */
  publishMicrophone(): Promise<string>;
  leave(): Promise<void>;
}

const live = new Set<MediaParticipant>();

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface JoinOptions {
  /** Encrypts everything this participant publishes end to end (AES-GCM, one shared key), as Alcove's clients do. */
  sharedKey?: Uint8Array;
}

/** Joins a LiveKit room with a token, as a client or the therapist would. Rejects if LiveKit refuses. */
export async function joinMediaRoom(url: string, token: string, options: JoinOptions = {}): Promise<MediaParticipant> {
  const room = new Room();
  const disconnected = new Promise<DisconnectReason>((resolve) => {
    room.once(RoomEvent.Disconnected, (reason: DisconnectReason) => resolve(reason));
  });
  const feeders: NodeJS.Timeout[] = [];
  const sources: AudioSource[] = [];
  const participant: MediaParticipant = {
    room,
    identity: '',
    whenDisconnected: (timeoutMs = CONNECT_TIMEOUT_MS) => withTimeout(disconnected, timeoutMs, 'waiting to be disconnected'),
    isConnected: () => room.isConnected,
    async publishMicrophone() {
      const source = new AudioSource(SAMPLE_RATE, 1);
      sources.push(source);
      const track = LocalAudioTrack.createAudioTrack('microphone', source);
      const options = new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE });
      const publication = await withTimeout(room.localParticipant!.publishTrack(track, options), CONNECT_TIMEOUT_MS, 'publishing a microphone');
      // Keep a steady 10 ms of silence flowing, as a real microphone would.
      const silence = new AudioFrame(new Int16Array(FRAME_SAMPLES), SAMPLE_RATE, 1, FRAME_SAMPLES);
      feeders.push(
        setInterval(() => {
          source.captureFrame(silence).catch(() => undefined);
        }, 10),
      );
      return publication.sid!;
    },
    async leave() {
      live.delete(participant);
      for (const feeder of feeders.splice(0)) clearInterval(feeder);
      await withTimeout(room.disconnect(), 5_000, 'leaving the media room').catch(() => undefined);
      for (const source of sources.splice(0)) await source.close().catch(() => undefined);
    },
  };
  live.add(participant);
  try {
    const encryption = options.sharedKey ? { encryption: { keyProviderOptions: { sharedKey: options.sharedKey } } } : {};
    await withTimeout(room.connect(url, token, { autoSubscribe: true, dynacast: false, ...encryption }), CONNECT_TIMEOUT_MS, 'joining the media room');
  } catch (error) {
    await participant.leave();
    throw error;
  }
  participant.identity = room.localParticipant?.identity ?? '';
  void disconnected.then(() => {
    for (const feeder of feeders.splice(0)) clearInterval(feeder);
  });
  return participant;
}

/** For afterEach: no native room may outlive its test. */
export async function leaveAllMediaRooms(): Promise<void> {
  await Promise.all([...live].map((p) => p.leave()));
}

// The native FFI runtime keeps mocha's process alive and is a process-wide
// singleton that cannot be started again once disposed. So it is released once,
// by a root-level hook registered on first import, after the last test of the run.
after(async function () {
  this.timeout(10_000);
  await leaveAllMediaRooms();
  await dispose();
});
