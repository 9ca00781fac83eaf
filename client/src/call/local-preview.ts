/**
 * The camera and microphone before the call: a preview and a level meter,
 * without LiveKit (so the media library loads only when it is needed). The
 * camera is never opened until the person asks for it.
 */
import { classifyMediaError, MediaAccessError } from './media-support.ts';

export interface LocalPreview {
  readonly videoTrack: MediaStreamTrack | null;
  readonly audioTrack: MediaStreamTrack | null;
  startCamera(deviceId: string | null): Promise<void>;
  stopCamera(): void;
  /**
   * The running camera for the call to publish, so joining does not close and reopen it (a
   * camera takes a while to start, and its light would blink). The preview lets go of it without
   * stopping it: from here it is the call's to stop.
   */
  handOverCamera(): MediaStreamTrack | null;
  startMicrophone(deviceId: string | null): Promise<void>;
  stopMicrophone(): void;
  /** Microphone loudness, 0..1, for the meter. */
  level(): number;
  stopAll(): void;
}

const exact = (deviceId: string | null) => (deviceId ? { deviceId: { exact: deviceId } } : {});

export function createLocalPreview(): LocalPreview {
  let videoTrack: MediaStreamTrack | null = null;
  let audioTrack: MediaStreamTrack | null = null;
  let audioContext: AudioContext | null = null;
  let analyser: AnalyserNode | null = null;
  const samples = new Float32Array(1024);

  const stopAudioAnalysis = () => {
    void audioContext?.close().catch(() => undefined);
    audioContext = null;
    analyser = null;
  };

  return {
    get videoTrack() {
      return videoTrack;
    },
    get audioTrack() {
      return audioTrack;
    },
    async startCamera(deviceId) {
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { ...exact(deviceId), width: { ideal: 960 }, height: { ideal: 540 } },
        });
      } catch (error) {
        throw new MediaAccessError(classifyMediaError(error), 'camera');
      }
      videoTrack?.stop();
      videoTrack = stream.getVideoTracks()[0] ?? null;
    },
    stopCamera() {
      videoTrack?.stop();
      videoTrack = null;
    },
    handOverCamera() {
      const track = videoTrack?.readyState === 'live' ? videoTrack : null;
      videoTrack = null;
      return track;
    },
    async startMicrophone(deviceId) {
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: { ...exact(deviceId), echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        });
      } catch (error) {
        throw new MediaAccessError(classifyMediaError(error), 'microphone');
      }
      audioTrack?.stop();
      stopAudioAnalysis();
      audioTrack = stream.getAudioTracks()[0] ?? null;
      if (audioTrack) {
        audioContext = new AudioContext();
        analyser = audioContext.createAnalyser();
        analyser.fftSize = samples.length;
        audioContext.createMediaStreamSource(new MediaStream([audioTrack])).connect(analyser);
      }
    },
    stopMicrophone() {
      audioTrack?.stop();
      audioTrack = null;
      stopAudioAnalysis();
    },
    level() {
      if (!analyser) return 0;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      // RMS of speech sits around 0.02–0.2; scale so normal speech fills most of the meter.
      return Math.min(1, Math.sqrt(sum / samples.length) * 6);
    },
    stopAll() {
      this.stopCamera();
      this.stopMicrophone();
    },
  };
}
