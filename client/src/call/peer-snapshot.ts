/** Who is in the call, as the tiles show them: a plain snapshot of a LiveKit participant. */
import { ConnectionQuality, Track, type Participant } from 'livekit-client';

export type Quality = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';

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

/** What the person chose that changes what the tiles show. */
export interface SnapshotView {
  /** Others' video is not received. */
  audioOnly: boolean;
  /** The privacy screen is up: our own video is off too. */
  hidden: boolean;
  speaking: ReadonlySet<string>;
}

const QUALITY: Readonly<Record<ConnectionQuality, Quality>> = {
  [ConnectionQuality.Excellent]: 'excellent',
  [ConnectionQuality.Good]: 'good',
  [ConnectionQuality.Poor]: 'poor',
  [ConnectionQuality.Lost]: 'lost',
  [ConnectionQuality.Unknown]: 'unknown',
};

export function snapshotOf(p: Participant, view: SnapshotView): PeerSnapshot {
  const video = p.getTrackPublication(Track.Source.Camera);
  const audio = p.getTrackPublication(Track.Source.Microphone);
  const hasVideo = Boolean(video?.track && !video.isMuted && !(view.audioOnly && !p.isLocal) && !view.hidden);
  return {
    identity: p.identity,
    name: p.name || '',
    isLocal: p.isLocal,
    hasVideo,
    videoKey: hasVideo ? (video?.track?.sid ?? video?.trackSid ?? null) : null,
    isMicOn: Boolean(audio && !audio.isMuted),
    isSpeaking: view.speaking.has(p.identity),
    quality: QUALITY[p.connectionQuality] ?? 'unknown',
  };
}
