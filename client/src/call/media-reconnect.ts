/**
 * A call that outlives its media server. When the connection to LiveKit is lost for a reason
 * that is not the end of the session (LiveKit crashed or restarted and forgot every room, and
 * livekit-client's own resume gave up), this rejoins by itself: a fresh token from our server
 * (whose token path recreates the forgotten room), the call's current key (held by this page:
 * the console made it, a client got it sealed — never asked of our server), a new LiveKit
 * Room with the camera, microphone, devices, audio-only and privacy state the person had, with
 * capped back-off (`rejoin-policy.ts`) — until it is back, our server says this person or
 * session is done, or the controller calls `leave()` (a socket fact: sent back, removed, ended).
 *
 * It is a `CallRoom` itself, so the call view stays bound to one object and keeps its tiles and
 * verification code across a rejoin; only the LiveKit Room underneath is replaced. A new Room
 * gets a new key provider and worker: a dead Room's E2EE worker cannot be handed to another, and
 * the newest key this page holds is the one to use (a rotation may have happened meanwhile).
 */
import { ApiError } from '../api/http-client.ts';
import { CommandError } from '../api/socket-connection.ts';
import { createCallRoom, type CallCallbacks, type CallPreferences, type CallRoom, type DeviceKind, type PeerSnapshot, type SessionKey } from './call-room.ts';
import { rejoinDelayMs, shouldRejoin, verdictOn, type CallEndReason, type RejoinFailure } from './rejoin-policy.ts';

export interface MediaJoin {
  url: string;
  token: string;
  key: SessionKey;
}

export interface RejoiningCallOptions {
  prefs: CallPreferences;
  audioSink: HTMLElement;
  /** `onEnded` hears only ends: a loss that is being rejoined shows as 'reconnecting' instead. */
  callbacks: CallCallbacks;
  /** A fresh media token (our server) and the call's current key (this page), for every rejoin. */
  fetchJoin(): Promise<MediaJoin>;
  /** The key of a switch this call never got: it is on its way to this page, or is the console's own. */
  fetchKey(): Promise<SessionKey>;
}

/**
 * connecting: the first connect is under way (its failure is the caller's, through `connect`).
 * connected / reconnecting: livekit-client holds the connection, or is resuming it itself.
 * rejoining: that Room is gone; attempts with a new one are scheduled. over: ended or left.
 */
type Phase = 'connecting' | 'connected' | 'reconnecting' | 'rejoining' | 'over';

/** One rejoining call: what the person chose (carried into every new Room) and where the rejoin stands. */
interface Rejoin {
  readonly options: RejoiningCallOptions;
  readonly prefs: CallPreferences;
  audioOnly: boolean;
  /** Set while the privacy screen is up: what to turn back on when it comes down. */
  privacyRestore: { camera: boolean; mic: boolean } | null;
  encryptionFailed: boolean;
  phase: Phase;
  /** Whether the Room's own camera/microphone state can be trusted as the person's choice (not mid-publish, not mid-teardown). */
  settled: boolean;
  lastPeers: PeerSnapshot[];
  attempt: number;
  retryTimer: number;
  /** Rooms whose events no longer mean anything (lost, failed attempts, left). */
  readonly retired: WeakSet<CallRoom>;
  current: CallRoom;
  isFetchingKey: boolean;
}

function failureOf(error: unknown): RejoinFailure {
  if (error instanceof ApiError) return error.code;
  if (error instanceof CommandError) return error.body.code;
  return 'media';
}

/** What one Room's news means to the call as a whole; news of a retired Room means nothing. */
function roomCallbacks(r: Rejoin, roomOf: () => CallRoom): CallCallbacks {
  const { callbacks } = r.options;
  const isRetired = () => r.retired.has(roomOf());
  return {
    onEncryption(encryption) {
      if (isRetired()) return;
      if (encryption.state === 'failed') r.encryptionFailed = true;
      // After an alert the call has to be left and joined again: a rejoin must not hide it.
      else if (r.encryptionFailed) return;
      callbacks.onEncryption(encryption);
    },
    onPeersChanged(peers) {
      // While the connection is down, the tiles stay as they were (shown as lost) instead of emptying.
      if (isRetired() || r.phase === 'reconnecting' || r.phase === 'rejoining' || r.phase === 'over') return;
      r.lastPeers = peers;
      if (r.phase === 'connected' && r.settled && !r.privacyRestore) {
        r.prefs.cameraOn = roomOf().isCameraOn();
        r.prefs.micOn = roomOf().isMicrophoneOn();
      }
      callbacks.onPeersChanged(peers);
    },
    onConnection(state) {
      if (isRetired() || r.phase === 'rejoining' || r.phase === 'over') return;
      // A disconnect is followed by onEnded, which decides between an end and a rejoin.
      if (state === 'disconnected') return;
      if (state === 'reconnecting' && r.phase === 'connected') {
        r.phase = 'reconnecting';
        showPeersLost(r);
      } else if (state === 'connected' && r.phase !== 'connected') {
        r.phase = 'connected';
        callbacks.onPeersChanged((r.lastPeers = roomOf().peers()));
      }
      callbacks.onConnection(state);
    },
    onAudioBlocked(blocked) {
      if (!isRetired()) callbacks.onAudioBlocked(blocked);
    },
    onEnded(reason) {
      // A failing first connect is reported by `connect` itself.
      if (isRetired() || r.phase === 'connecting' || r.phase === 'over') return;
      r.retired.add(roomOf());
      // A Room of an attempt under way: that attempt sees it retired and schedules the next one.
      if (r.phase === 'rejoining') return;
      if (shouldRejoin(reason)) startRejoining(r);
      else end(r, reason);
    },
  };
}

function open(r: Rejoin): CallRoom {
  const hidden = r.privacyRestore !== null;
  const prefs = { ...r.prefs, cameraOn: r.prefs.cameraOn && !hidden, micOn: r.prefs.micOn && !hidden };
  const room: CallRoom = createCallRoom(prefs, r.options.audioSink, roomCallbacks(r, () => room));
  return room;
}

function showPeersLost(r: Rejoin) {
  r.options.callbacks.onPeersChanged(r.lastPeers.map((p) => (p.isLocal ? p : { ...p, quality: 'lost' as const, isSpeaking: false })));
}

function startRejoining(r: Rejoin) {
  r.phase = 'rejoining';
  r.settled = false;
  r.attempt = 0;
  r.options.callbacks.onConnection('reconnecting');
  showPeersLost(r);
  scheduleAttempt(r);
}

function scheduleAttempt(r: Rejoin) {
  r.retryTimer = window.setTimeout(() => void rejoinOnce(r), rejoinDelayMs(r.attempt));
  r.attempt += 1;
}

async function rejoinOnce(r: Rejoin) {
  if (r.phase !== 'rejoining') return;
  let next: CallRoom | null = null;
  try {
    const join = await r.options.fetchJoin();
    if (r.phase !== 'rejoining') return;
    // The lost Room's audio elements belong to tracks that no longer exist.
    r.options.audioSink.replaceChildren();
    next = open(r);
    r.current = next;
    if (r.audioOnly) await next.setAudioOnly(true);
    if (r.privacyRestore) await next.setPrivacy(true);
    await next.connect(join.url, join.token, join.key);
    if (r.phase !== 'rejoining') return;
    if (r.retired.has(next)) throw new Error('lost again while joining');
    r.phase = 'connected';
    r.settled = true;
    r.options.callbacks.onConnection('connected');
    r.options.callbacks.onPeersChanged((r.lastPeers = next.peers()));
  } catch (error) {
    if (r.phase !== 'rejoining') return;
    if (next) {
      r.retired.add(next);
      void next.leave().catch(() => undefined);
    }
    const verdict = verdictOn(failureOf(error));
    if (verdict.retry) scheduleAttempt(r);
    else end(r, verdict.reason);
  }
}

function end(r: Rejoin, reason: CallEndReason) {
  r.phase = 'over';
  window.clearTimeout(r.retryTimer);
  r.options.callbacks.onConnection('disconnected');
  r.options.callbacks.onEnded(reason);
}

/** While rejoining there is no Room to act on: the choice is kept and applied to the next one. */
const isRejoining = (r: Rejoin) => r.phase === 'rejoining';

function setPrivacy(r: Rejoin) {
  return async (on: boolean) => {
    if (on && !r.privacyRestore) {
      r.privacyRestore = { camera: isRejoining(r) ? r.prefs.cameraOn : r.current.isCameraOn(), mic: isRejoining(r) ? r.prefs.micOn : r.current.isMicrophoneOn() };
      if (!isRejoining(r)) await r.current.setPrivacy(true);
    } else if (!on && r.privacyRestore) {
      const restore = r.privacyRestore;
      r.privacyRestore = null;
      r.prefs.cameraOn = restore.camera;
      r.prefs.micOn = restore.mic;
      if (isRejoining(r)) return;
      await r.current.setPrivacy(false);
      // A Room joined while the screen was up has nothing of its own to restore.
      await Promise.all([
        restore.camera && !r.current.isCameraOn() ? r.current.setCamera(true) : undefined,
        restore.mic && !r.current.isMicrophoneOn() ? r.current.setMicrophone(true) : undefined,
      ]);
    }
  };
}

/** Camera, microphone, devices, audio-only and the privacy screen: applied now, and remembered for the next Room. */
function mediaCommands(r: Rejoin) {
  const chosenDevice = (kind: DeviceKind) => (kind === 'audioinput' ? r.prefs.audioInput : kind === 'videoinput' ? r.prefs.videoInput : r.prefs.audioOutput);
  return {
    async setCamera(on: boolean) {
      if (!isRejoining(r)) await r.current.setCamera(on);
      r.prefs.cameraOn = on;
    },
    async setMicrophone(on: boolean) {
      if (!isRejoining(r)) await r.current.setMicrophone(on);
      r.prefs.micOn = on;
    },
    async switchDevice(kind: DeviceKind, deviceId: string) {
      if (!isRejoining(r)) await r.current.switchDevice(kind, deviceId);
      if (kind === 'audioinput') r.prefs.audioInput = deviceId;
      else if (kind === 'videoinput') r.prefs.videoInput = deviceId;
      else r.prefs.audioOutput = deviceId;
    },
    activeDevice: (kind: DeviceKind) => (isRejoining(r) ? chosenDevice(kind) : r.current.activeDevice(kind)),
    async setAudioOnly(on: boolean) {
      r.audioOnly = on;
      if (on) r.prefs.cameraOn = false;
      if (!isRejoining(r)) await r.current.setAudioOnly(on);
    },
    setPrivacy: setPrivacy(r),
    isCameraOn: () => (isRejoining(r) ? r.prefs.cameraOn && !r.privacyRestore : r.current.isCameraOn()),
    isMicrophoneOn: () => (isRejoining(r) ? r.prefs.micOn && !r.privacyRestore : r.current.isMicrophoneOn()),
  };
}

/**
 * A rotated key can pass a call by: sealed to this page while it was between two Rooms, or
 * late (the console seals it once more to a browser that did not answer in time). The switch
 * names the slot, so a call told to use a key it lacks waits for that key; installing it applies
 * the switch (`installKey` does). Only a key that never comes ends in the missing-key alarm.
 */
function activateOrFetchKey(r: Rejoin, keyIndex: number): void {
  r.current.activateKey(keyIndex);
  if (isRejoining(r) || r.current.holdsKey(keyIndex) || r.isFetchingKey) return;
  r.isFetchingKey = true;
  const room = r.current;
  void r.options
    .fetchKey()
    .then((key) => (r.retired.has(room) ? undefined : room.installKey(key)))
    .catch(() => undefined)
    .finally(() => {
      r.isFetchingKey = false;
    });
}

export function createRejoiningCall(options: RejoiningCallOptions): CallRoom {
  const r = {
    options,
    prefs: { ...options.prefs },
    audioOnly: false,
    privacyRestore: null,
    encryptionFailed: false,
    phase: 'connecting',
    settled: false,
    lastPeers: [],
    attempt: 0,
    retryTimer: 0,
    retired: new WeakSet<CallRoom>(),
    isFetchingKey: false,
  } as Omit<Rejoin, 'current'> as Rejoin;
  // The first Room's callbacks need `r`, so `current` is set right after.
  r.current = open(r);
  return {
    get localIdentity() {
      return r.current.localIdentity;
    },
    async connect(url, token, key, onStarted) {
      await r.current.connect(url, token, key, onStarted);
      if (r.phase === 'connecting') r.phase = 'connected';
      if (r.phase === 'connected') r.settled = true;
    },
    // Both for the first Room only: a rejoin's Room warms nothing and opens the camera itself.
    prepare: (url) => r.current.prepare(url),
    adoptCamera: (track) => r.current.adoptCamera(track),
    installKey: (key) => r.current.installKey(key),
    activateKey: (keyIndex) => activateOrFetchKey(r, keyIndex),
    holdsKey: (keyIndex) => r.current.holdsKey(keyIndex),
    peers: () => (isRejoining(r) ? r.lastPeers : r.current.peers()),
    attachVideo: (identity, element) => r.current.attachVideo(identity, element),
    ...mediaCommands(r),
    enableAudio: () => r.current.enableAudio(),
    async leave() {
      r.phase = 'over';
      window.clearTimeout(r.retryTimer);
      r.retired.add(r.current);
      await r.current.leave();
    },
  };
}
