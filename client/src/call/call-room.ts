/**
 * The call, wrapped around livekit-client so views never touch LiveKit: one
 * snapshot of who is here (for tiles), a few commands, and plain callbacks.
 * Talk-only: camera and microphone, nothing else is ever published; always
 * end-to-end encrypted with the session key, or not joined at all.
 * The key ring is `call-encryption.ts`, the tiles' snapshot `peer-snapshot.ts`.
 */
import {
  ConnectionState,
  DisconnectReason,
  LocalVideoTrack,
  Room,
  RoomEvent,
  Track,
  type LocalParticipant,
  type Participant,
  type RemoteTrack,
  type RemoteTrackPublication,
} from 'livekit-client';
import { E2EE_KEYRING_SIZE } from '@alcove/shared';
import { createCallEncryption, type CallEncryption, type Encryption, type SessionKey } from './call-encryption.ts';
import { snapshotOf, type PeerSnapshot, type Quality } from './peer-snapshot.ts';
import type { CallEndReason } from './rejoin-policy.ts';
import { roomOptions, type CallPreferences } from './room-options.ts';
import { canEncrypt, createE2eeWorker, SessionKeyProvider } from './session-key-provider.ts';
import { closeTransportsOfUnansweredJoins } from './unanswered-join.ts';

export type { CallEndReason, CallPreferences, Encryption, PeerSnapshot, Quality, SessionKey };

export type CallConnection = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export class EncryptionUnavailableError extends Error {
  constructor() {
    super('end-to-end encryption is not available in this browser');
    this.name = 'EncryptionUnavailableError';
  }
}

export interface CallCallbacks {
  /** Encryption is on (with the code people compare aloud), or it failed: never a silent fallback. */
  onEncryption(encryption: Encryption): void;
  onPeersChanged(peers: PeerSnapshot[]): void;
  onConnection(state: CallConnection): void;
  /** Autoplay was blocked: one click on "enable sound" must call `enableAudio`. */
  onAudioBlocked(blocked: boolean): void;
  /** The media connection ended, and why (the signalling socket may know better). */
  onEnded(reason: CallEndReason): void;
}

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

export interface CallRoom {
  readonly localIdentity: string;
  /**
   * Refuses (EncryptionUnavailableError) rather than join unencrypted. The key is set first, then
   * the connection starts; `onStarted` runs once it is under way (the next task), for the view.
   */
  connect(url: string, token: string, key: SessionKey, onStarted?: () => void): Promise<void>;
  /** While the person waits: the way to LiveKit warmed (DNS, TLS), encryption switched on, so joining starts at once. */
  prepare(url: string): void;
  /** The preview's running camera: published (after connecting) instead of opening the camera again. From here it is the call's to stop. */
  adoptCamera(track: MediaStreamTrack): void;
  /** A rotated key: held for decrypting at once, used for encrypting only after `activateKey`. */
  installKey(key: SessionKey): Promise<void>;
  /** Everyone holds the key in this slot now: encrypt with it. */
  activateKey(keyIndex: number): void;
  /** Whether this call holds the key of a slot (installed, active or not). */
  holdsKey(keyIndex: number): boolean;
  peers(): PeerSnapshot[];
  attachVideo(identity: string, element: HTMLVideoElement): void;
  setCamera(on: boolean): Promise<void>;
  setMicrophone(on: boolean): Promise<void>;
  switchDevice(kind: DeviceKind, deviceId: string): Promise<void>;
  activeDevice(kind: DeviceKind): string | null;
  setAudioOnly(on: boolean): Promise<void>;
  /** Camera off, microphone off, others silenced; undo restores what was on before. */
  setPrivacy(on: boolean): Promise<void>;
  enableAudio(): Promise<void>;
  isCameraOn(): boolean;
  isMicrophoneOn(): boolean;
  leave(): Promise<void>;
}

/** After the network comes back, how long LiveKit gets to start resuming before we trust its state. */
const ONLINE_SETTLE_MS = 1000;

/** What one Room remembers of the person's choices, and who is speaking. */
interface RoomChoices {
  audioOnly: boolean;
  privacyRestore: { camera: boolean; mic: boolean } | null;
  endedByUs: boolean;
  speaking: Set<string>;
}

/** Everything the pieces of one call share. */
interface CallParts {
  room: Room;
  local: LocalParticipant;
  choices: RoomChoices;
  encryption: CallEncryption;
  audioSink: HTMLElement;
  callbacks: CallCallbacks;
  /** The tiles need a new snapshot (batched to one per microtask). */
  changed(): void;
  peers(): PeerSnapshot[];
  /** Switched on once, while waiting or at the join, whichever comes first. */
  enableEncryption(): Promise<void>;
  /** The preview's camera, until it is published (or stopped with the Room). */
  adopted: MediaStreamTrack | null;
  /** Lets go of the worker, the timers and an unpublished camera: the Room is over. */
  release(): void;
}

function endReasonOf(reason: DisconnectReason | undefined): CallEndReason {
  switch (reason) {
    case DisconnectReason.CLIENT_INITIATED:
      return 'left';
    case DisconnectReason.PARTICIPANT_REMOVED:
      return 'removed';
    case DisconnectReason.ROOM_DELETED:
    case DisconnectReason.ROOM_CLOSED:
      return 'ended';
    case DisconnectReason.DUPLICATE_IDENTITY:
      return 'replaced';
    default:
      return 'lost';
  }
}

/** The browser knows at once when the network is gone; LiveKit notices only when its pings time out (~15 s). Returns the undo. */
function watchNetwork(room: Room, onConnection: (state: CallConnection) => void): () => void {
  const onOffline = () => onConnection('reconnecting');
  const onOnline = () => {
    window.setTimeout(() => {
      // If LiveKit is resuming, its Reconnected event will clear the banner; if it never noticed, clear it here.
      if (room.state === ConnectionState.Connected) onConnection('connected');
    }, ONLINE_SETTLE_MS);
  };
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  return () => {
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
  };
}

/** Others' tracks: voices go to the audio sink (silenced behind the privacy screen), video is not taken in audio-only. */
function listenToTracks({ room, choices, audioSink, changed }: CallParts): void {
  room
    .on(RoomEvent.TrackPublished, (publication: RemoteTrackPublication) => {
      if (choices.audioOnly && publication.kind === Track.Kind.Video) publication.setSubscribed(false);
      changed();
    })
    .on(RoomEvent.TrackSubscribed, (track: RemoteTrack, publication: RemoteTrackPublication) => {
      if (track.kind === Track.Kind.Audio) {
        const element = track.attach();
        element.muted = choices.privacyRestore !== null;
        audioSink.append(element);
      } else if (choices.audioOnly) {
        publication.setSubscribed(false);
      }
      changed();
    })
    .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => {
      track.detach().forEach((el) => el.remove());
      changed();
    });
}

function listenToRoom(parts: CallParts, onDisconnected: (reason?: DisconnectReason) => void): void {
  const { room, choices, callbacks, changed } = parts;
  listenToTracks(parts);
  for (const event of [
    RoomEvent.ParticipantConnected,
    RoomEvent.ParticipantDisconnected,
    RoomEvent.TrackMuted,
    RoomEvent.TrackUnmuted,
    RoomEvent.LocalTrackPublished,
    RoomEvent.LocalTrackUnpublished,
    RoomEvent.ParticipantNameChanged,
    RoomEvent.ConnectionQualityChanged,
  ] as const) {
    room.on(event, changed);
  }
  room
    .on(RoomEvent.ActiveSpeakersChanged, (active: Participant[]) => {
      choices.speaking.clear();
      for (const p of active) choices.speaking.add(p.identity);
      changed();
    })
    .on(RoomEvent.Reconnecting, () => callbacks.onConnection('reconnecting'))
    .on(RoomEvent.SignalReconnecting, () => callbacks.onConnection('reconnecting'))
    .on(RoomEvent.Reconnected, () => callbacks.onConnection('connected'))
    .on(RoomEvent.EncryptionError, (error: Error) => parts.encryption.onError(error))
    .on(RoomEvent.AudioPlaybackStatusChanged, () => callbacks.onAudioBlocked(!room.canPlaybackAudio))
    .on(RoomEvent.Disconnected, onDisconnected);
}

/** Camera, microphone, devices, audio-only and the privacy screen. */
function mediaCommands({ room, local, choices, audioSink, changed }: CallParts) {
  const setRemoteAudioMuted = (muted: boolean) => {
    for (const el of audioSink.querySelectorAll('audio')) el.muted = muted;
  };
  return {
    async setCamera(on: boolean) {
      await local.setCameraEnabled(on);
      changed();
    },
    async setMicrophone(on: boolean) {
      await local.setMicrophoneEnabled(on);
      changed();
    },
    switchDevice: async (kind: DeviceKind, deviceId: string) => void (await room.switchActiveDevice(kind, deviceId)),
    activeDevice: (kind: DeviceKind) => room.getActiveDevice(kind) ?? null,
    async setAudioOnly(on: boolean) {
      choices.audioOnly = on;
      if (on) await local.setCameraEnabled(false);
      for (const participant of room.remoteParticipants.values()) {
        for (const publication of participant.videoTrackPublications.values()) publication.setSubscribed(!on);
      }
      changed();
    },
    async setPrivacy(on: boolean) {
      if (on && !choices.privacyRestore) {
        choices.privacyRestore = { camera: local.isCameraEnabled, mic: local.isMicrophoneEnabled };
        setRemoteAudioMuted(true);
        await Promise.all([local.setCameraEnabled(false), local.setMicrophoneEnabled(false)]);
      } else if (!on && choices.privacyRestore) {
        const restore = choices.privacyRestore;
        choices.privacyRestore = null;
        setRemoteAudioMuted(false);
        await Promise.all([restore.camera ? local.setCameraEnabled(true) : undefined, restore.mic ? local.setMicrophoneEnabled(true) : undefined]);
      }
      changed();
    },
    isCameraOn: () => local.isCameraEnabled,
    isMicrophoneOn: () => local.isMicrophoneEnabled,
  };
}

/** The preview's camera if it is still running, managed by LiveKit as if it had opened it; otherwise a fresh one. */
async function publishCamera(parts: CallParts): Promise<void> {
  const { local } = parts;
  const track = parts.adopted;
  parts.adopted = null;
  if (!track || track.readyState !== 'live') return void (await local.setCameraEnabled(true));
  // Not "user provided": turning the camera off stops it (its light goes out) and on reopens it, as for LiveKit's own.
  await local.publishTrack(new LocalVideoTrack(track, undefined, false), { source: Track.Source.Camera });
  const deviceId = track.getSettings().deviceId;
  if (deviceId) local.activeDeviceMap.set('videoinput', deviceId);
}

function connectOnce(parts: CallParts, prefs: CallPreferences) {
  const { room, local, encryption, callbacks } = parts;
  return async (url: string, token: string, key: SessionKey, onStarted?: () => void) => {
    callbacks.onConnection('connecting');
    // The key is in before the first packet: frames never arrive for a key the worker lacks.
    await encryption.installKey(key);
    encryption.activateKey(key.keyIndex);
    await parts.enableEncryption();
    // Left (sent back, ended) while the key was going in: nothing to join any more.
    if (parts.choices.endedByUs) return;
    closeTransportsOfUnansweredJoins(room);
    const connected = room.connect(url, token, { autoSubscribe: true });
    // The next task: by then the connect has opened its socket, and the view's work cannot delay it.
    if (onStarted) window.setTimeout(onStarted, 0);
    await connected;
    callbacks.onConnection('connected');
    callbacks.onAudioBlocked(!room.canPlaybackAudio);
    // Publish what the person chose before the call, only now: our own tracks never hold up the
    // others' first frames. The camera only if they turned it on (the preview's, still running).
    await Promise.all([
      prefs.micOn ? local.setMicrophoneEnabled(true).catch(() => undefined) : undefined,
      prefs.cameraOn ? publishCamera(parts).catch(() => undefined) : undefined,
    ]);
    parts.changed();
  };
}

function callRoomOf(parts: CallParts, prefs: CallPreferences): CallRoom {
  const { room, local, encryption, callbacks } = parts;
  return {
    get localIdentity() {
      return local.identity;
    },
    connect: connectOnce(parts, prefs),
    prepare(url) {
      void parts.enableEncryption().catch(() => undefined);
      void room.prepareConnection(url);
    },
    adoptCamera(track) {
      parts.adopted?.stop();
      parts.adopted = track;
    },
    installKey: (key) => encryption.installKey(key),
    activateKey: (keyIndex) => encryption.activateKey(keyIndex),
    holdsKey: (keyIndex) => encryption.holdsKey(keyIndex),
    peers: parts.peers,
    attachVideo(identity, element) {
      const participant = identity === local.identity ? local : room.remoteParticipants.get(identity);
      const track = participant?.getTrackPublication(Track.Source.Camera)?.track;
      if (track) track.attach(element);
    },
    ...mediaCommands(parts),
    async enableAudio() {
      await room.startAudio();
      callbacks.onAudioBlocked(!room.canPlaybackAudio);
    },
    async leave() {
      parts.choices.endedByUs = true;
      // A Room that never connected sends no Disconnected: what it holds is let go here.
      if (room.state === ConnectionState.Disconnected) parts.release();
      await room.disconnect(true);
    },
  };
}

export function createCallRoom(prefs: CallPreferences, audioSink: HTMLElement, callbacks: CallCallbacks): CallRoom {
  if (!canEncrypt()) throw new EncryptionUnavailableError();
  const keyProvider = new SessionKeyProvider({ keyringSize: E2EE_KEYRING_SIZE });
  const worker = createE2eeWorker();
  const room = new Room(roomOptions(prefs, keyProvider, worker));
  const choices: RoomChoices = { audioOnly: false, privacyRestore: null, endedByUs: false, speaking: new Set() };
  const peers = () => {
    const view = { audioOnly: choices.audioOnly, hidden: choices.privacyRestore !== null, speaking: choices.speaking };
    return [snapshotOf(room.localParticipant, view), ...[...room.remoteParticipants.values()].map((p) => snapshotOf(p, view))];
  };
  let scheduled = false;
  const changed = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      callbacks.onPeersChanged(peers());
    });
  };
  const encryption = createCallEncryption(keyProvider, callbacks.onEncryption);
  let encryptionOn: Promise<void> | null = null;
  const stopWatchingNetwork = watchNetwork(room, callbacks.onConnection);
  const parts: CallParts = {
    room,
    local: room.localParticipant,
    choices,
    encryption,
    audioSink,
    callbacks,
    changed,
    peers,
    enableEncryption: () => (encryptionOn ??= room.setE2EEEnabled(true)),
    adopted: null,
    release() {
      stopWatchingNetwork();
      encryption.stop();
      // livekit-client never ends the worker, and a rejoin makes a new Room (and worker) each time.
      worker.terminate();
      parts.adopted?.stop();
      parts.adopted = null;
    },
  };
  listenToRoom(parts, (reason) => {
    parts.release();
    callbacks.onConnection('disconnected');
    callbacks.onEnded(choices.endedByUs ? 'left' : endReasonOf(reason));
  });
  return callRoomOf(parts, prefs);
}
