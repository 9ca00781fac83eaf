/**
 * The bare livekit-client page (runs in Chromium, bundled by `build-bare-page.ts`): nothing of
 * Alcove, only what any LiveKit app does to publish a camera or to join and watch. The bench
 * calls `globalThis.bareLivekit.publish(…)` on the "therapist" page and `…join(…)` on the
 * measured one; `join` records `startedAt` (the moment it starts connecting, token in hand),
 * the time zero that Alcove's Admit click corresponds to.
 *
 * Plain JavaScript objects through `globalThis` on purpose: the bench's tsconfig has no DOM
 * library, and this file is type-checked with the rest of the bench.
 */
import { ExternalE2EEKeyProvider, Room, RoomEvent, setLogExtension, setLogLevel, Track, VideoPresets, type RemoteTrack, type RoomOptions } from 'livekit-client';

/** How the measured page sets up encryption; `late-key` is the order the stall was reported in. */
export type JoinOrder = 'key-first' | 'late-key' | 'plain';

export interface PublishRequest {
  url: string;
  token: string;
  /** The room key, base64 (32 random bytes, HKDF as in Alcove); null publishes unencrypted. */
  key: string | null;
}

export interface JoinRequest {
  url: string;
  token: string;
  key: string | null;
  order: JoinOrder;
  /** Record livekit-client's E2EE log lines (debug level: slows the page, so off for figures). */
  trace: boolean;
}

const g = globalThis as any;

function keyBytes(key: string): ArrayBuffer {
  return Uint8Array.from(g.atob(key) as string, (char) => char.charCodeAt(0)).buffer;
}

function e2eeWorker(): unknown {
  return new g.Worker(new URL('./e2ee.worker.mjs', g.location.href), { type: 'module' });
}

/** The same capture and simulcast layers as Alcove's publishers (client/src/call/room-options.ts), so both sides send the same stream. */
const publisherOptions: RoomOptions = {
  dynacast: true,
  videoCaptureDefaults: { resolution: VideoPresets.h540.resolution },
  publishDefaults: { simulcast: true, videoSimulcastLayers: [VideoPresets.h180, VideoPresets.h360], dtx: true, red: true },
};

async function publish(request: PublishRequest): Promise<void> {
  const keyProvider = new ExternalE2EEKeyProvider();
  const room = new Room({ ...publisherOptions, ...(request.key ? { e2ee: { keyProvider, worker: e2eeWorker() as any } } : {}) });
  if (request.key) {
    await keyProvider.setKey(keyBytes(request.key));
    await room.setE2EEEnabled(true);
  }
  await room.connect(request.url, request.token);
  await Promise.all([room.localParticipant.setCameraEnabled(true), room.localParticipant.setMicrophoneEnabled(true)]);
  g.__bareRoom = room;
}

/** What the measured room went through, with wall-clock times: the bench prints it for a stalled run. */
const events: { at: number; event: string }[] = [];
g.__bareEvents = events;

function showVideo(room: Room): void {
  const note = (event: string) => events.push({ at: Date.now(), event });
  room
    .on(RoomEvent.SignalConnected, () => note('signal connected'))
    .on(RoomEvent.Connected, () => note('connected'))
    .on(RoomEvent.EncryptionError, (error: Error) => note(`encryption error: ${error.message.slice(0, 80)}`));
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
    note(`${track.kind} subscribed`);
    if (track.kind !== Track.Kind.Video) return;
    const element = track.attach();
    element.muted = true;
    g.document.body.append(element);
  });
}

/** livekit-client's own account of the E2EE pipeline (its worker's lines included), for a stalled run. */
const E2EE_LOG = /crypt|decod|transform|key|frame|sif|enable/iu;

async function join(request: JoinRequest): Promise<{ startedAt: number }> {
  if (request.trace) {
    setLogLevel('debug');
    setLogExtension((_level, message) => {
      if (E2EE_LOG.test(message) && events.length < 60) events.push({ at: Date.now(), event: `log: ${message.slice(0, 90)}` });
    });
  }
  const startedAt = Date.now();
  let room: Room;
  if (request.order === 'plain' || !request.key) {
    room = new Room();
    showVideo(room);
    await room.connect(request.url, request.token);
  } else if (request.order === 'key-first') {
    const keyProvider = new ExternalE2EEKeyProvider();
    room = new Room({ e2ee: { keyProvider, worker: e2eeWorker() as any } });
    showVideo(room);
    await keyProvider.setKey(keyBytes(request.key));
    await room.setE2EEEnabled(true);
    await room.connect(request.url, request.token);
  } else {
    // As reported for the stall: room and worker first, connect, and only then the key.
    const keyProvider = new ExternalE2EEKeyProvider();
    room = new Room({ e2ee: { keyProvider, worker: e2eeWorker() as any } });
    showVideo(room);
    await room.setE2EEEnabled(true);
    await room.connect(request.url, request.token);
    await keyProvider.setKey(keyBytes(request.key));
    events.push({ at: Date.now(), event: 'key set' });
  }
  g.__bareRoom = room;
  return { startedAt };
}

async function leave(): Promise<void> {
  await (g.__bareRoom as Room | undefined)?.disconnect();
}

g.bareLivekit = { publish, join, leave };
