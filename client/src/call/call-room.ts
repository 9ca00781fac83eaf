/**
 * The call, wrapped around livekit-client so views never touch LiveKit: one
 * snapshot of who is here (for tiles), a few commands, and plain callbacks.
 * Talk-only: camera and microphone, nothing else is ever published; always
 * end-to-end encrypted with the session key, or not joined at all.
 */
import { deriveVerificationCode, MISSING_KEY_GRACE_MS } from '@alcove/shared';
import {
  ConnectionQuality,
  ConnectionState,
  DisconnectReason,
  Room,
  RoomEvent,
  Track,
  VideoPresets,
  type Participant,
  type RemoteTrack,
  type RemoteTrackPublication,
} from 'livekit-client';
import { canEncrypt, createE2eeWorker, SessionKeyProvider } from './session-key-provider.ts';
import type { CallEndReason } from './rejoin-policy.ts';

export type { CallEndReason };

export type Quality = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';
export type CallConnection = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface PeerSnapshot {
  identity: string;
  name: string;
  isLocal: boolean;
  hasVideo: boolean;
  /** Changes when a different video track should be attached. */
  videoKey: string | null;
  isMicOn: boolean;
  isSpeaking: boolean;
  quality: Quality;
}

export interface CallPreferences {
  cameraOn: boolean;
  micOn: boolean;
  audioInput: string | null;
  videoInput: string | null;
  audioOutput: string | null;
}

/** The session's end-to-end key as the server hands it out. */
export interface SessionKey {
  key: string;
  keyIndex: number;
}

export type Encryption = { state: 'on'; verificationCode: string } | { state: 'failed' };

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

export interface CallRoom {
  readonly localIdentity: string;
  /** Refuses (EncryptionUnavailableError) rather than join unencrypted. */
  connect(url: string, token: string, key: SessionKey): Promise<void>;
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
  switchDevice(kind: 'audioinput' | 'videoinput' | 'audiooutput', deviceId: string): Promise<void>;
  activeDevice(kind: 'audioinput' | 'videoinput' | 'audiooutput'): string | null;
  setAudioOnly(on: boolean): Promise<void>;
  /** Camera off, microphone off, others silenced; undo restores what was on before. */
  setPrivacy(on: boolean): Promise<void>;
  enableAudio(): Promise<void>;
  isCameraOn(): boolean;
  isMicrophoneOn(): boolean;
  leave(): Promise<void>;
}

const QUALITY: Readonly<Record<ConnectionQuality, Quality>> = {
  [ConnectionQuality.Excellent]: 'excellent',
  [ConnectionQuality.Good]: 'good',
  [ConnectionQuality.Poor]: 'poor',
  [ConnectionQuality.Lost]: 'lost',
  [ConnectionQuality.Unknown]: 'unknown',
};

/** After the network comes back, how long LiveKit gets to start resuming before we trust its state. */
const ONLINE_SETTLE_MS = 1000;

/** How livekit-client's worker words a frame under a key index we do not hold (the message is all it passes on). */
const MISSING_KEY_ERROR = /^MissingKey:.*\bat index (\d+)/u;

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

export function createCallRoom(prefs: CallPreferences, audioSink: HTMLElement, callbacks: CallCallbacks): CallRoom {
  if (!canEncrypt()) throw new EncryptionUnavailableError();
  const keyProvider = new SessionKeyProvider();
  const worker = createE2eeWorker();
  const room = new Room({
    e2ee: { keyProvider, worker },
    // Hidden or off-screen tiles would otherwise be paused; the layout is small enough to keep all.
    adaptiveStream: { pauseVideoInBackground: false },
    dynacast: true,
    stopLocalTrackOnUnpublish: true,
    disconnectOnPageLeave: true,
    videoCaptureDefaults: { resolution: VideoPresets.h540.resolution, ...(prefs.videoInput ? { deviceId: prefs.videoInput } : {}) },
    audioCaptureDefaults: {
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      ...(prefs.audioInput ? { deviceId: prefs.audioInput } : {}),
    },
    audioOutput: prefs.audioOutput ? { deviceId: prefs.audioOutput } : undefined,
    publishDefaults: {
      simulcast: true,
      videoSimulcastLayers: [VideoPresets.h180, VideoPresets.h360],
      stopMicTrackOnMute: true,
      dtx: true,
      red: true,
    },
  });

  // The browser knows at once when the network is gone; LiveKit notices only when its pings time out (~15 s).
  const onOffline = () => callbacks.onConnection('reconnecting');
  const onOnline = () => {
    window.setTimeout(() => {
      // If LiveKit is resuming, its Reconnected event will clear the banner; if it never noticed, clear it here.
      if (room.state === ConnectionState.Connected) callbacks.onConnection('connected');
    }, ONLINE_SETTLE_MS);
  };
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);

  let audioOnly = false;
  let privacyRestore: { camera: boolean; mic: boolean } | null = null;
  let endedByUs = false;
  const speaking = new Set<string>();
  /** Verification code of each key-ring slot we hold, shown when that key is activated. */
  const codes = new Map<number, string>();
  const missingKeyTimers = new Map<number, number>();
  let encryptionFailed = false;
  /** The slot the server last told us to encrypt with, even if its key is not installed yet. */
  let wantedKeyIndex: number | null = null;

  const failEncryption = () => {
    encryptionFailed = true;
    callbacks.onEncryption({ state: 'failed' });
  };

  /**
   * A wrong key (`InvalidKey`) fails the call at once. A frame under a key index we do not hold
   * (`MissingKey`) can be a rotated key that is still on its way to us, so it fails the call only
   * if that key has not arrived after a grace period; a key that never comes is still an alarm.
   * A slot *behind* our newest key is the old key of a rotation we joined in the middle of: the
   * others use it only until the switch (at most KEY_READY_TIMEOUT_MS), so we wait for nothing.
   */
  const onEncryptionError = (error: Error) => {
    const missing = MISSING_KEY_ERROR.exec(error.message);
    if (!missing) return failEncryption();
    const keyIndex = Number(missing[1]);
    if (keyProvider.hasKey(keyIndex) || !keyProvider.isAhead(keyIndex) || missingKeyTimers.has(keyIndex)) return;
    missingKeyTimers.set(
      keyIndex,
      window.setTimeout(() => {
        missingKeyTimers.delete(keyIndex);
        if (!keyProvider.hasKey(keyIndex) && keyProvider.isAhead(keyIndex)) failEncryption();
      }, MISSING_KEY_GRACE_MS),
    );
  };

  const snapshotOf = (p: Participant): PeerSnapshot => {
    const video = p.getTrackPublication(Track.Source.Camera);
    const audio = p.getTrackPublication(Track.Source.Microphone);
    const hasVideo = Boolean(video?.track && !video.isMuted && !(audioOnly && !p.isLocal) && !privacyRestore);
    return {
      identity: p.identity,
      name: p.name || '',
      isLocal: p.isLocal,
      hasVideo,
      videoKey: hasVideo ? (video?.track?.sid ?? video?.trackSid ?? null) : null,
      isMicOn: Boolean(audio && !audio.isMuted),
      isSpeaking: speaking.has(p.identity),
      quality: QUALITY[p.connectionQuality] ?? 'unknown',
    };
  };

  const peers = (): PeerSnapshot[] => [snapshotOf(room.localParticipant), ...[...room.remoteParticipants.values()].map(snapshotOf)];
  let scheduled = false;
  const changed = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      callbacks.onPeersChanged(peers());
    });
  };

  const setRemoteAudioMuted = (muted: boolean) => {
    for (const el of audioSink.querySelectorAll('audio')) el.muted = muted;
  };

  room
    .on(RoomEvent.ParticipantConnected, changed)
    .on(RoomEvent.ParticipantDisconnected, changed)
    .on(RoomEvent.TrackPublished, (publication: RemoteTrackPublication) => {
      if (audioOnly && publication.kind === Track.Kind.Video) publication.setSubscribed(false);
      changed();
    })
    .on(RoomEvent.TrackSubscribed, (track: RemoteTrack, publication: RemoteTrackPublication) => {
      if (track.kind === Track.Kind.Audio) {
        const element = track.attach();
        element.muted = privacyRestore !== null;
        audioSink.append(element);
      } else if (audioOnly) {
        publication.setSubscribed(false);
      }
      changed();
    })
    .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => {
      track.detach().forEach((el) => el.remove());
      changed();
    })
    .on(RoomEvent.TrackMuted, changed)
    .on(RoomEvent.TrackUnmuted, changed)
    .on(RoomEvent.LocalTrackPublished, changed)
    .on(RoomEvent.LocalTrackUnpublished, changed)
    .on(RoomEvent.ParticipantNameChanged, changed)
    .on(RoomEvent.ConnectionQualityChanged, changed)
    .on(RoomEvent.ActiveSpeakersChanged, (active: Participant[]) => {
      speaking.clear();
      for (const p of active) speaking.add(p.identity);
      changed();
    })
    .on(RoomEvent.Reconnecting, () => callbacks.onConnection('reconnecting'))
    .on(RoomEvent.SignalReconnecting, () => callbacks.onConnection('reconnecting'))
    .on(RoomEvent.Reconnected, () => callbacks.onConnection('connected'))
    .on(RoomEvent.EncryptionError, onEncryptionError)
    .on(RoomEvent.AudioPlaybackStatusChanged, () => callbacks.onAudioBlocked(!room.canPlaybackAudio))
    .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      for (const timer of missingKeyTimers.values()) window.clearTimeout(timer);
      missingKeyTimers.clear();
      // livekit-client never ends the worker, and a rejoin makes a new Room (and worker) each time.
      worker.terminate();
      callbacks.onConnection('disconnected');
      callbacks.onEnded(endedByUs ? 'left' : endReasonOf(reason));
    });

  const local = room.localParticipant;

  async function installKey(key: SessionKey): Promise<void> {
    codes.set(key.keyIndex, await deriveVerificationCode(key.key));
    await keyProvider.installKey(key.key, key.keyIndex);
    // The switch can overtake a slow install (or a key that came late): it applies once the key is in.
    if (wantedKeyIndex === key.keyIndex) activateKey(key.keyIndex);
  }

  function activateKey(keyIndex: number): void {
    wantedKeyIndex = keyIndex;
    // After a failure the alert stays: the call has to be left and joined again.
    if (keyProvider.activateKey(keyIndex) && !encryptionFailed) callbacks.onEncryption({ state: 'on', verificationCode: codes.get(keyIndex)! });
  }

  return {
    get localIdentity() {
      return local.identity;
    },

    async connect(url, token, key) {
      callbacks.onConnection('connecting');
      await installKey(key);
      activateKey(key.keyIndex);
      await room.setE2EEEnabled(true);
      await room.connect(url, token, { autoSubscribe: true });
      callbacks.onConnection('connected');
      callbacks.onAudioBlocked(!room.canPlaybackAudio);
      // Publish what the person chose before the call; the camera only if they turned it on.
      await Promise.all([
        prefs.micOn ? local.setMicrophoneEnabled(true).catch(() => undefined) : undefined,
        prefs.cameraOn ? local.setCameraEnabled(true).catch(() => undefined) : undefined,
      ]);
      changed();
    },

    installKey,
    activateKey,
    holdsKey: (keyIndex) => keyProvider.hasKey(keyIndex),

    peers,

    attachVideo(identity, element) {
      const participant = identity === local.identity ? local : room.remoteParticipants.get(identity);
      const track = participant?.getTrackPublication(Track.Source.Camera)?.track;
      if (track) track.attach(element);
    },

    async setCamera(on) {
      await local.setCameraEnabled(on);
      changed();
    },

    async setMicrophone(on) {
      await local.setMicrophoneEnabled(on);
      changed();
    },

    async switchDevice(kind, deviceId) {
      await room.switchActiveDevice(kind, deviceId);
    },

    activeDevice: (kind) => room.getActiveDevice(kind) ?? null,

    async setAudioOnly(on) {
      audioOnly = on;
      if (on) await local.setCameraEnabled(false);
      for (const participant of room.remoteParticipants.values()) {
        for (const publication of participant.videoTrackPublications.values()) publication.setSubscribed(!on);
      }
      changed();
    },

    async setPrivacy(on) {
      if (on && !privacyRestore) {
        privacyRestore = { camera: local.isCameraEnabled, mic: local.isMicrophoneEnabled };
        setRemoteAudioMuted(true);
        await Promise.all([local.setCameraEnabled(false), local.setMicrophoneEnabled(false)]);
      } else if (!on && privacyRestore) {
        const restore = privacyRestore;
        privacyRestore = null;
        setRemoteAudioMuted(false);
        await Promise.all([
          restore.camera ? local.setCameraEnabled(true) : undefined,
          restore.mic ? local.setMicrophoneEnabled(true) : undefined,
        ]);
      }
      changed();
    },

    async enableAudio() {
      await room.startAudio();
      callbacks.onAudioBlocked(!room.canPlaybackAudio);
    },

    isCameraOn: () => local.isCameraEnabled,
    isMicrophoneOn: () => local.isMicrophoneEnabled,

    async leave() {
      endedByUs = true;
      await room.disconnect(true);
    },
  };
}
