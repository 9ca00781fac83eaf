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

/**
 * How the measured page subscribes: livekit-client's default (LiveKit starts the subscription at the
 * top layer), or with adaptive stream as Alcove's call does (LiveKit starts it at the low layer and
 * the page asks for more once the video element has a size).
 */
export type SubscriberSetup = 'default' | 'adaptive';

/** How the "therapist" page publishes: as Alcove does (simulcast, dynacast), or with one of the two off. */
export type PublisherSetup = 'alcove' | 'no-dynacast' | 'no-simulcast';

export interface PublishRequest {
  url: string;
  token: string;
  /** The room key, base64 (32 random bytes, HKDF as in Alcove); null publishes unencrypted. */
  key: string | null;
  setup: PublisherSetup;
}

export interface JoinRequest {
  url: string;
  token: string;
  key: string | null;
  order: JoinOrder;
  subscriber: SubscriberSetup;
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
  const options: RoomOptions = {
    ...publisherOptions,
    ...(request.setup === 'no-dynacast' ? { dynacast: false } : {}),
    ...(request.setup === 'no-simulcast' ? { publishDefaults: { ...publisherOptions.publishDefaults, simulcast: false } } : {}),
  };
  const room = new Room({ ...options, ...(request.key ? { e2ee: { keyProvider, worker: e2eeWorker() as any } } : {}) });
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
  const subscribe: RoomOptions = request.subscriber === 'adaptive' ? { adaptiveStream: { pauseVideoInBackground: false } } : {};
  let room: Room;
  if (request.order === 'plain' || !request.key) {
    room = new Room(subscribe);
    showVideo(room);
    await room.connect(request.url, request.token);
  } else if (request.order === 'key-first') {
    const keyProvider = new ExternalE2EEKeyProvider();
    room = new Room({ ...subscribe, e2ee: { keyProvider, worker: e2eeWorker() as any } });
    showVideo(room);
    await keyProvider.setKey(keyBytes(request.key));
    await room.setE2EEEnabled(true);
    await room.connect(request.url, request.token);
  } else {
    // As reported for the stall: room and worker first, connect, and only then the key.
    const keyProvider = new ExternalE2EEKeyProvider();
    room = new Room({ ...subscribe, e2ee: { keyProvider, worker: e2eeWorker() as any } });
    showVideo(room);
    await room.setE2EEEnabled(true);
    await room.connect(request.url, request.token);
    await keyProvider.setKey(keyBytes(request.key));
    events.push({ at: Date.now(), event: 'key set' });
  }
  g.__bareRoom = room;
  return { startedAt };
}

/**
 * On the publishing page: when each simulcast layer (by rid) started sending again after `since`
 * (dynacast pauses layers nobody watches), and why the encoder limited quality. Polled every 20 ms
 * until `stopLayerWatch`.
 */
let layerWatch: { timer: unknown; sent: Map<string, number>; resumedAt: Map<string, number>; limitation: Map<string, string>; pli: Map<string, number>; keyFrames: Map<string, number>; seen: { at: number; event: string }[] } | undefined;

async function outboundVideo(): Promise<{ rid: string; framesSent: number; limitation: string; height: number; pli: number; keyFrames: number }[]> {
  const layers: { rid: string; framesSent: number; limitation: string; height: number; pli: number; keyFrames: number }[] = [];
  for (const pc of g.__alcovePeerConnections as any[]) {
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((r: any) => {
      if (r.type === 'outbound-rtp' && r.kind === 'video') layers.push({ rid: String(r.rid ?? '-'), framesSent: r.framesSent ?? 0, limitation: String(r.qualityLimitationReason ?? ''), height: r.frameHeight ?? 0, pli: r.pliCount ?? 0, keyFrames: r.keyFramesEncoded ?? 0 });
    });
  }
  return layers;
}

async function startLayerWatch(): Promise<void> {
  const watch = { timer: undefined as unknown, sent: new Map<string, number>(), resumedAt: new Map<string, number>(), limitation: new Map<string, string>(), pli: new Map<string, number>(), keyFrames: new Map<string, number>(), seen: [] as { at: number; event: string }[] };
  for (const layer of await outboundVideo()) {
    watch.sent.set(layer.rid, layer.framesSent);
    watch.pli.set(layer.rid, layer.pli);
    watch.keyFrames.set(layer.rid, layer.keyFrames);
  }
  watch.timer = g.setInterval(async () => {
    for (const layer of await outboundVideo()) {
      // The PLIs LiveKit let through to the publisher, and the keyframes the encoder made, per layer.
      if (layer.pli > (watch.pli.get(layer.rid) ?? 0) && watch.seen.length < 40) watch.seen.push({ at: Date.now(), event: `publisher got PLI on ${layer.rid}` });
      if (layer.keyFrames > (watch.keyFrames.get(layer.rid) ?? 0) && watch.seen.length < 40) watch.seen.push({ at: Date.now(), event: `publisher keyframe on ${layer.rid}` });
      watch.pli.set(layer.rid, layer.pli);
      watch.keyFrames.set(layer.rid, layer.keyFrames);
      if (!watch.resumedAt.has(layer.rid) && layer.framesSent > (watch.sent.get(layer.rid) ?? 0)) watch.resumedAt.set(layer.rid, Date.now());
      watch.limitation.set(layer.rid, `${layer.limitation} ${layer.height}p`);
    }
  }, 20);
  layerWatch = watch;
}

function stopLayerWatch(): { at: number; event: string }[] {
  if (!layerWatch) return [];
  g.clearInterval(layerWatch.timer);
  const { resumedAt, limitation, seen } = layerWatch;
  layerWatch = undefined;
  return [...seen, ...[...limitation.keys()].map((rid) => ({ at: resumedAt.get(rid) ?? 0, event: `publisher layer ${rid} ${resumedAt.has(rid) ? 'sending' : 'not sending'} (${limitation.get(rid)})` }))];
}

async function leave(): Promise<void> {
  await (g.__bareRoom as Room | undefined)?.disconnect();
}

g.bareLivekit = { publish, join, leave, startLayerWatch, stopLayerWatch };
