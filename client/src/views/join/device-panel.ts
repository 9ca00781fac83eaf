/**
 * The device check inside check-in: camera preview (off until turned on),
 * microphone level, camera/microphone/speaker pickers, a speaker test sound,
 * and plain help when something is wrong.
 */
import { listDevices, onDevicesChanged } from '../../call/device-list.ts';
import type { LocalPreview } from '../../call/local-preview.ts';
import { browserProblem, canChooseSpeaker, MediaAccessError, type MediaProblem } from '../../call/media-support.ts';
import { playSound } from '../../call/tone-player.ts';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { loadJourney, saveJourney } from '../../state/journey-store.ts';
import { h, uniqueId } from '../common/dom-builder.ts';
import { createDeviceSelect } from '../call-screen/device-select.ts';

const PROBLEM_KEYS: Readonly<Record<MediaProblem, MessageKey>> = {
  denied: 'devices.problem.denied',
  'not-found': 'devices.problem.notFound',
  'in-use': 'devices.problem.inUse',
  unsupported: 'devices.problem.unsupported',
  insecure: 'devices.problem.insecure',
  unknown: 'devices.problem.unknown',
};

export interface DevicePanel {
  readonly root: HTMLElement;
  destroy(): void;
}

export function createDevicePanel(preview: LocalPreview): DevicePanel {
  const video = h('video', { class: 'preview-video mirrored', attrs: { autoplay: true, playsinline: true } });
  video.muted = true;
  const cameraOffNote = h('p', { class: 'preview-off', msg: 'devices.cameraIsOff' });
  const previewBox = h('div', { class: 'preview' }, video, cameraOffNote);
  const meterId = uniqueId('meter');
  const meter = h('meter', { id: meterId, attrs: { min: 0, max: 1, low: 0.05, high: 0.7, optimum: 0.4, value: 0 } });
  const problemBox = h('div', { class: 'problem', attrs: { role: 'alert' } });
  const speakerNote = h('p', { class: 'hint', attrs: { 'aria-live': 'polite' } });

  const showProblem = (problem: MediaProblem | null, device?: 'camera' | 'microphone') => {
    problemBox.hidden = problem === null;
    problemBox.replaceChildren();
    if (!problem) return;
    if (device) problemBox.append(h('strong', { msg: device === 'camera' ? 'devices.cameraProblem' : 'devices.microphoneProblem' }), ' ');
    problemBox.append(h('span', { msg: PROBLEM_KEYS[problem] }));
  };

  // Action labels ("Turn camera on"), so no aria-pressed: the label itself says what a press does.
  const cameraButton = h('button', { class: 'button', attrs: { type: 'button', 'data-action': 'camera' } });
  const micButton = h('button', { class: 'button', attrs: { type: 'button', 'data-action': 'microphone' } });
  const sync = () => {
    const cameraOn = preview.videoTrack !== null;
    const micOn = preview.audioTrack !== null;
    bindText(cameraButton, cameraOn ? 'devices.turnCameraOff' : 'devices.turnCameraOn');
    bindText(micButton, micOn ? 'devices.turnMicOff' : 'devices.turnMicOn');
    video.srcObject = preview.videoTrack ? new MediaStream([preview.videoTrack]) : null;
    previewBox.classList.toggle('is-on', cameraOn);
    cameraOffNote.hidden = cameraOn;
  };

  const attempt = async (action: () => Promise<void>) => {
    try {
      await action();
      showProblem(null);
    } catch (error) {
      if (error instanceof MediaAccessError) showProblem(error.problem, error.device);
      else showProblem('unknown');
    }
    sync();
    await refreshLists();
  };

  const micSelect = createDeviceSelect('devices.microphone', 'devices.unnamedMicrophone', (id) => {
    saveJourney({ devices: { ...loadJourney().devices, audioInput: id } });
    if (preview.audioTrack) void attempt(() => preview.startMicrophone(id));
  });
  const camSelect = createDeviceSelect('devices.camera', 'devices.unnamedCamera', (id) => {
    saveJourney({ devices: { ...loadJourney().devices, videoInput: id } });
    if (preview.videoTrack) void attempt(() => preview.startCamera(id));
  });
  const speakerSelect = createDeviceSelect('devices.speaker', 'devices.unnamedSpeaker', (id) => {
    saveJourney({ devices: { ...loadJourney().devices, audioOutput: id } });
  });

  async function refreshLists() {
    const lists = await listDevices();
    const journey = loadJourney();
    const activeMic = preview.audioTrack?.getSettings().deviceId ?? journey.devices.audioInput;
    const activeCam = preview.videoTrack?.getSettings().deviceId ?? journey.devices.videoInput;
    micSelect.setOptions(lists.audioInput, activeMic);
    camSelect.setOptions(lists.videoInput, activeCam);
    speakerSelect.setOptions(lists.audioOutput, journey.devices.audioOutput);
  }

  cameraButton.addEventListener('click', () => {
    if (preview.videoTrack) {
      preview.stopCamera();
      sync();
    } else void attempt(() => preview.startCamera(loadJourney().devices.videoInput));
  });
  micButton.addEventListener('click', () => {
    if (preview.audioTrack) {
      preview.stopMicrophone();
      saveJourney({ micOn: false });
      sync();
    } else {
      saveJourney({ micOn: true });
      void attempt(() => preview.startMicrophone(loadJourney().devices.audioInput));
    }
  });
  const testButton = h('button', {
    class: 'button',
    msg: 'devices.playTestSound',
    attrs: { type: 'button' },
    on: {
      click: async () => {
        const played = await playSound('speaker-test', canChooseSpeaker() ? speakerSelect.select.value || null : null);
        bindText(speakerNote, played ? 'devices.testSoundPlayed' : 'devices.testSoundFailed');
      },
    },
  });

  const root = h(
    'section',
    { class: 'device-panel', msgAttrs: { 'aria-label': 'devices.title' } },
    h('h2', { msg: 'devices.title' }),
    problemBox,
    h('div', { class: 'device-grid' },
      h('div', { class: 'device-preview' }, previewBox, h('div', { class: 'button-row' }, cameraButton, micButton)),
      h('div', { class: 'device-fields' },
        h('div', { class: 'field' }, h('label', { msg: 'devices.microphoneLevel', attrs: { for: meterId } }), meter),
        micSelect.root,
        camSelect.root,
        canChooseSpeaker() ? speakerSelect.root : null,
        h('div', { class: 'button-row' }, testButton),
        speakerNote,
      ),
    ),
  );

  let raf = 0;
  let lastMeter = 0;
  const tick = (now: number) => {
    if (now - lastMeter > 100) {
      meter.value = preview.level();
      lastMeter = now;
    }
    raf = requestAnimationFrame(tick);
  };
  raf = requestAnimationFrame(tick);
  const stopWatching = onDevicesChanged(() => void refreshLists());

  const problem = browserProblem();
  if (problem) {
    showProblem(problem);
    cameraButton.disabled = true;
    micButton.disabled = true;
  } else if (loadJourney().micOn && !preview.audioTrack) {
    void attempt(() => preview.startMicrophone(loadJourney().devices.audioInput));
  } else {
    void refreshLists();
  }
  sync();
  showProblem(problem);

  return {
    root,
    destroy() {
      cancelAnimationFrame(raf);
      stopWatching();
    },
  };
}
