/**
 * A call that outlives its media server. When the connection to LiveKit is lost for a reason
 * that is not the end of the session (LiveKit crashed or restarted and forgot every room, and
 * livekit-client's own resume gave up), this rejoins by itself: a fresh token from our server
 * (whose token path recreates the forgotten room), the session's current key, a new LiveKit
 * Room with the camera, microphone, devices, audio-only and privacy state the person had, with
 * capped back-off (`rejoin-policy.ts`) — until it is back, our server says this person or
 * session is done, or the controller calls `leave()` (a socket fact: sent back, removed, ended).
 *
 * It is a `CallRoom` itself, so the call view stays bound to one object and keeps its tiles and
 * verification code across a rejoin; only the LiveKit Room underneath is replaced. A new Room
 * gets a new key provider and worker: a dead Room's E2EE worker cannot be handed to another, and
 * the key our server holds now is the one to use (a rotation may have happened meanwhile).
 */
import { ApiError } from '../api/http-client.ts';
import { CommandError } from '../api/socket-connection.ts';
import { createCallRoom, type CallCallbacks, type CallPreferences, type CallRoom, type PeerSnapshot, type SessionKey } from './call-room.ts';
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
  /** A fresh media token and the session's current key, asked of our server for every rejoin. */
  fetchJoin(): Promise<MediaJoin>;
  /** The session's current key alone: asked when told to switch to a key this call never got. */
  fetchKey(): Promise<SessionKey>;
}

/**
 * connecting: the first connect is under way (its failure is the caller's, through `connect`).
 * connected / reconnecting: livekit-client holds the connection, or is resuming it itself.
 * rejoining: that Room is gone; attempts with a new one are scheduled. over: ended or left.
 */
type Phase = 'connecting' | 'connected' | 'reconnecting' | 'rejoining' | 'over';

function failureOf(error: unknown): RejoinFailure {
  if (error instanceof ApiError) return error.code;
  if (error instanceof CommandError) return error.body.code;
  return 'media';
}

export function createRejoiningCall(options: RejoiningCallOptions): CallRoom {
  const { audioSink, callbacks } = options;
  /** What the person has chosen, carried into every new Room. */
  const prefs: CallPreferences = { ...options.prefs };
  let audioOnly = false;
  /** Set while the privacy screen is up: what to turn back on when it comes down. */
  let privacyRestore: { camera: boolean; mic: boolean } | null = null;
  let encryptionFailed = false;
  let phase: Phase = 'connecting';
  /** Whether the Room's own camera/microphone state can be trusted as the person's choice (not mid-publish, not mid-teardown). */
  let settled = false;
  let lastPeers: PeerSnapshot[] = [];
  let attempt = 0;
  let retryTimer = 0;
  /** Rooms whose events no longer mean anything (lost, failed attempts, left). */
  const retired = new WeakSet<CallRoom>();
  let current = open();

  function open(): CallRoom {
    const hidden = privacyRestore !== null;
    const room = createCallRoom({ ...prefs, cameraOn: prefs.cameraOn && !hidden, micOn: prefs.micOn && !hidden }, audioSink, {
      onEncryption(encryption) {
        if (retired.has(room)) return;
        if (encryption.state === 'failed') encryptionFailed = true;
        // After an alert the call has to be left and joined again: a rejoin must not hide it.
        else if (encryptionFailed) return;
        callbacks.onEncryption(encryption);
      },
      onPeersChanged(peers) {
        // While the connection is down, the tiles stay as they were (shown as lost) instead of emptying.
        if (retired.has(room) || phase === 'reconnecting' || phase === 'rejoining' || phase === 'over') return;
        lastPeers = peers;
        if (phase === 'connected' && settled && !privacyRestore) {
          prefs.cameraOn = room.isCameraOn();
          prefs.micOn = room.isMicrophoneOn();
        }
        callbacks.onPeersChanged(peers);
      },
      onConnection(state) {
        if (retired.has(room) || phase === 'rejoining' || phase === 'over') return;
        // A disconnect is followed by onEnded, which decides between an end and a rejoin.
        if (state === 'disconnected') return;
        if (state === 'reconnecting' && phase === 'connected') {
          phase = 'reconnecting';
          showPeersLost();
        } else if (state === 'connected' && phase !== 'connected') {
          phase = 'connected';
          callbacks.onPeersChanged((lastPeers = room.peers()));
        }
        callbacks.onConnection(state);
      },
      onAudioBlocked(blocked) {
        if (!retired.has(room)) callbacks.onAudioBlocked(blocked);
      },
      onEnded(reason) {
        // A failing first connect is reported by `connect` itself.
        if (retired.has(room) || phase === 'connecting' || phase === 'over') return;
        retired.add(room);
        // A Room of an attempt under way: that attempt sees it retired and schedules the next one.
        if (phase === 'rejoining') return;
        if (shouldRejoin(reason)) startRejoining();
        else end(reason);
      },
    });
    return room;
  }

  function showPeersLost() {
    callbacks.onPeersChanged(lastPeers.map((p) => (p.isLocal ? p : { ...p, quality: 'lost' as const, isSpeaking: false })));
  }

  function startRejoining() {
    phase = 'rejoining';
    settled = false;
    attempt = 0;
    callbacks.onConnection('reconnecting');
    showPeersLost();
    scheduleAttempt();
  }

  function scheduleAttempt() {
    retryTimer = window.setTimeout(() => void rejoinOnce(), rejoinDelayMs(attempt));
    attempt += 1;
  }

  async function rejoinOnce() {
    if (phase !== 'rejoining') return;
    let next: CallRoom | null = null;
    try {
      const join = await options.fetchJoin();
      if (phase !== 'rejoining') return;
      // The lost Room's audio elements belong to tracks that no longer exist.
      audioSink.replaceChildren();
      next = open();
      current = next;
      if (audioOnly) await next.setAudioOnly(true);
      if (privacyRestore) await next.setPrivacy(true);
      await next.connect(join.url, join.token, join.key);
      if (phase !== 'rejoining') return;
      if (retired.has(next)) throw new Error('lost again while joining');
      phase = 'connected';
      settled = true;
      callbacks.onConnection('connected');
      callbacks.onPeersChanged((lastPeers = next.peers()));
    } catch (error) {
      if (phase !== 'rejoining') return;
      if (next) {
        retired.add(next);
        void next.leave().catch(() => undefined);
      }
      const verdict = verdictOn(failureOf(error));
      if (verdict.retry) scheduleAttempt();
      else end(verdict.reason);
    }
  }

  function end(reason: CallEndReason) {
    phase = 'over';
    window.clearTimeout(retryTimer);
    callbacks.onConnection('disconnected');
    callbacks.onEnded(reason);
  }

  /**
   * A rotated key can pass a call by: sent while the person was between two calls (left and
   * joining again, the join having fetched the key just before the rotation), or lost with a
   * socket that reconnected. The switch names the slot, so a call told to use a key it lacks asks
   * our server for the current one; installing it applies the switch (`installKey` does). Only a
   * key that cannot be had this way either ends in the missing-key alarm.
   */
  let isFetchingKey = false;
  function healMissedKey() {
    if (isFetchingKey) return;
    isFetchingKey = true;
    const room = current;
    void options
      .fetchKey()
      .then((key) => (retired.has(room) ? undefined : room.installKey(key)))
      .catch(() => undefined)
      .finally(() => {
        isFetchingKey = false;
      });
  }

  /** While rejoining there is no Room to act on: the choice is kept and applied to the next one. */
  const isRejoining = () => phase === 'rejoining';

  return {
    get localIdentity() {
      return current.localIdentity;
    },

    async connect(url, token, key) {
      await current.connect(url, token, key);
      if (phase === 'connecting') phase = 'connected';
      if (phase === 'connected') settled = true;
    },

    installKey: (key) => current.installKey(key),
    activateKey(keyIndex) {
      current.activateKey(keyIndex);
      if (!isRejoining() && !current.holdsKey(keyIndex)) healMissedKey();
    },
    holdsKey: (keyIndex) => current.holdsKey(keyIndex),
    peers: () => (isRejoining() ? lastPeers : current.peers()),
    attachVideo: (identity, element) => current.attachVideo(identity, element),

    async setCamera(on) {
      if (!isRejoining()) await current.setCamera(on);
      prefs.cameraOn = on;
    },

    async setMicrophone(on) {
      if (!isRejoining()) await current.setMicrophone(on);
      prefs.micOn = on;
    },

    async switchDevice(kind, deviceId) {
      if (!isRejoining()) await current.switchDevice(kind, deviceId);
      if (kind === 'audioinput') prefs.audioInput = deviceId;
      else if (kind === 'videoinput') prefs.videoInput = deviceId;
      else prefs.audioOutput = deviceId;
    },

    activeDevice(kind) {
      if (!isRejoining()) return current.activeDevice(kind);
      return kind === 'audioinput' ? prefs.audioInput : kind === 'videoinput' ? prefs.videoInput : prefs.audioOutput;
    },

    async setAudioOnly(on) {
      audioOnly = on;
      if (on) prefs.cameraOn = false;
      if (!isRejoining()) await current.setAudioOnly(on);
    },

    async setPrivacy(on) {
      if (on && !privacyRestore) {
        privacyRestore = { camera: isRejoining() ? prefs.cameraOn : current.isCameraOn(), mic: isRejoining() ? prefs.micOn : current.isMicrophoneOn() };
        if (!isRejoining()) await current.setPrivacy(true);
      } else if (!on && privacyRestore) {
        const restore = privacyRestore;
        privacyRestore = null;
        prefs.cameraOn = restore.camera;
        prefs.micOn = restore.mic;
        if (isRejoining()) return;
        await current.setPrivacy(false);
        // A Room joined while the screen was up has nothing of its own to restore.
        await Promise.all([
          restore.camera && !current.isCameraOn() ? current.setCamera(true) : undefined,
          restore.mic && !current.isMicrophoneOn() ? current.setMicrophone(true) : undefined,
        ]);
      }
    },

    enableAudio: () => current.enableAudio(),
    isCameraOn: () => (isRejoining() ? prefs.cameraOn && !privacyRestore : current.isCameraOn()),
    isMicrophoneOn: () => (isRejoining() ? prefs.micOn && !privacyRestore : current.isMicrophoneOn()),

    async leave() {
      phase = 'over';
      window.clearTimeout(retryTimer);
      retired.add(current);
      await current.leave();
    },
  };
}
