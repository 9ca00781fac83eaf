/**
 * Short generated sounds (speaker test, arrival chime) as WAV blobs: no audio
 * files to fetch, allowed by the CSP's `media-src blob:`, and playable on a
 * chosen output device with setSinkId.
 */
const SAMPLE_RATE = 22_050;

function toneWav(notes: readonly { hz: number; ms: number }[], volume = 0.35): Blob {
  const samples: number[] = [];
  for (const note of notes) {
    const count = Math.floor((SAMPLE_RATE * note.ms) / 1000);
    for (let i = 0; i < count; i += 1) {
      const fade = Math.min(1, i / 400, (count - i) / 800);
      samples.push(Math.sin((2 * Math.PI * note.hz * i) / SAMPLE_RATE) * volume * fade);
    }
  }
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, SAMPLE_RATE, true);
  view.setUint32(28, SAMPLE_RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.round(s * 32767), true));
  return new Blob([buffer], { type: 'audio/wav' });
}

const SOUNDS = {
  'speaker-test': [
    { hz: 523, ms: 220 },
    { hz: 659, ms: 220 },
    { hz: 784, ms: 380 },
  ],
  arrival: [
    { hz: 880, ms: 160 },
    { hz: 660, ms: 260 },
  ],
} as const;

export type SoundName = keyof typeof SOUNDS;
const urls = new Map<SoundName, string>();

/** Plays a sound; resolves false when the browser refused (e.g. no user gesture yet). */
export async function playSound(name: SoundName, sinkId: string | null = null): Promise<boolean> {
  let url = urls.get(name);
  if (!url) {
    url = URL.createObjectURL(toneWav(SOUNDS[name]));
    urls.set(name, url);
  }
  const audio = new Audio(url);
  try {
    if (sinkId && 'setSinkId' in audio) await (audio as HTMLAudioElement & { setSinkId(id: string): Promise<void> }).setSinkId(sinkId);
    await audio.play();
    return true;
  } catch {
    return false;
  }
}
