/** How every call's LiveKit Room is set up: end-to-end encrypted, talk-only capture, simulcast for small tiles. */
import { VideoPresets, type ReconnectPolicy, type RoomOptions } from 'livekit-client';
import type { SessionKeyProvider } from './session-key-provider.ts';

/** What the person chose before the call: carried into the Room's capture defaults (and into every rejoin). */
export interface CallPreferences {
  cameraOn: boolean;
  micOn: boolean;
  audioInput: string | null;
  videoInput: string | null;
  audioOutput: string | null;
}

/**
 * livekit-client's own recovery, cut to one *resume* (same session, same connections: a blip is
 * over in a moment without republishing anything); if that fails, livekit-client gives up and our
 * own rejoin (media-reconnect.ts: a fresh token, a new Room, capped back-off) takes over. Left to
 * itself it keeps resuming for half a minute — against a media node that died every resume hangs,
 * because the nodes that are left still route the room to the dead one, while a fresh join is
 * placed on a live node — and then tries its "full reconnect" inside the same Room, after which
 * we saw remote video never decode again with end-to-end encryption on (test/e2e/livekit-node-death).
 */
export const resumeOnceThenRejoin: ReconnectPolicy = {
  nextRetryDelayInMs: ({ retryCount }) => (retryCount === 0 ? 0 : null),
};

export function roomOptions(prefs: CallPreferences, keyProvider: SessionKeyProvider, worker: Worker): RoomOptions {
  return {
    e2ee: { keyProvider, worker },
    // Hidden or off-screen tiles would otherwise be paused; the layout is small enough to keep all.
    adaptiveStream: { pauseVideoInBackground: false },
    dynacast: true,
    stopLocalTrackOnUnpublish: true,
    disconnectOnPageLeave: true,
    reconnectPolicy: resumeOnceThenRejoin,
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
  };
}
