/**
 * What the client's tab remembers across a reload: that they have read the
 * notice and checked in (and under which name), and their device choices.
 * Never the camera being on: after a reload the camera stays off until chosen again.
 */
export interface DeviceChoices {
  audioInput: string | null;
  videoInput: string | null;
  audioOutput: string | null;
}

export interface Journey {
  noticeRead: boolean;
  displayName: string | null;
  checkedIn: boolean;
  /** The microphone is on unless the person turned it off. */
  micOn: boolean;
  devices: DeviceChoices;
}

const JOURNEY_KEY = 'alcove.journey';

const fresh = (): Journey => ({
  noticeRead: false,
  displayName: null,
  checkedIn: false,
  micOn: true,
  devices: { audioInput: null, videoInput: null, audioOutput: null },
});

let memory: Journey = fresh();

export function loadJourney(): Journey {
  try {
    const raw = sessionStorage.getItem(JOURNEY_KEY);
    if (!raw) return memory;
    const parsed = JSON.parse(raw) as Partial<Journey>;
    memory = { ...fresh(), ...parsed, devices: { ...fresh().devices, ...parsed.devices } };
  } catch {
    // corrupt or unavailable: start over
  }
  return memory;
}

export function saveJourney(patch: Partial<Journey>): Journey {
  memory = { ...loadJourney(), ...patch };
  try {
    sessionStorage.setItem(JOURNEY_KEY, JSON.stringify(memory));
  } catch {
    // memory only
  }
  return memory;
}

export function resetJourney(): void {
  memory = fresh();
  try {
    sessionStorage.removeItem(JOURNEY_KEY);
  } catch {
    // nothing stored
  }
}
