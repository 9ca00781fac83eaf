/** How every call's LiveKit Room is set up: end-to-end encrypted, talk-only capture, simulcast for small tiles. */
import { VideoPresets, type RoomOptions } from 'livekit-client';
import type { SessionKeyProvider } from './session-key-provider.ts';

/** What the person chose before the call: carried into the Room's capture defaults (and into every rejoin). */
export interface CallPreferences {
  cameraOn: boolean;
  micOn: boolean;
  audioInput: string | null;
  videoInput: string | null;
  audioOutput: string | null;
}

export function roomOptions(prefs: CallPreferences, keyProvider: SessionKeyProvider, worker: Worker): RoomOptions {
  return {
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
  };
}
