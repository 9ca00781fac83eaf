/**
 * The call's toolbar: microphone, camera and audio-only toggles, the devices dialog, the
 * privacy screen button and Leave. A toggle keeps one accessible name ("Camera"); aria-pressed
 * carries on/off, and the visible on/off word is only a visual echo.
 */
import type { CallRoom, DeviceKind } from '../../call/call-room.ts';
import { listDevices } from '../../call/device-list.ts';
import { canChooseSpeaker } from '../../call/media-support.ts';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { createDeviceSelect, type DeviceSelect } from './device-select.ts';

export interface CallControlsOptions {
  /** The call being controlled; null until bound. */
  call(): CallRoom | null;
  onLeave(): void;
  openPrivacy(): void;
  /** The person turned their microphone back on. */
  onMicrophoneOn(): void;
  /** A camera, microphone or device change failed. */
  onDeviceError(): void;
}

export interface CallControls {
  readonly toolbar: HTMLElement;
  readonly devicesDialog: HTMLDialogElement;
  /** Shows the call's microphone, camera and audio-only state. */
  sync(): void;
}

function toggleButton(labelKey: MessageKey, className: string, onClick: () => void) {
  const state = h('span', { class: 'control-state', attrs: { 'aria-hidden': 'true' } });
  const button = h(
    'button',
    { class: `control ${className}`, attrs: { type: 'button', 'aria-pressed': 'false' }, on: { click: onClick } },
    h('span', { class: 'control-icon', attrs: { 'aria-hidden': 'true' } }),
    h('span', { msg: labelKey }),
    state,
  );
  return {
    button,
    set(pressed: boolean) {
      button.setAttribute('aria-pressed', String(pressed));
      bindText(state, pressed ? 'call.stateOn' : 'call.stateOff');
    },
  };
}

function controlButton(className: string, labelKey: MessageKey, attrs: Record<string, string>, onClick: () => void) {
  return h('button', { class: `control ${className}`, attrs: { type: 'button', ...attrs }, on: { click: onClick } },
    h('span', { class: 'control-icon', attrs: { 'aria-hidden': 'true' } }), h('span', { msg: labelKey }));
}

/** The devices dialog: one picker per kind (the speaker only where the browser can choose it), current device selected. */
function devicesDialog(run: (action: () => Promise<void>) => void, call: () => CallRoom | null) {
  const picker = (kind: DeviceKind, label: MessageKey, unnamed: MessageKey) => createDeviceSelect(label, unnamed, (id) => run(() => call()!.switchDevice(kind, id)));
  const selects: [DeviceKind, 'audioInput' | 'videoInput' | 'audioOutput', DeviceSelect][] = [
    ['audioinput', 'audioInput', picker('audioinput', 'devices.microphone', 'devices.unnamedMicrophone')],
    ['videoinput', 'videoInput', picker('videoinput', 'devices.camera', 'devices.unnamedCamera')],
    ['audiooutput', 'audioOutput', picker('audiooutput', 'devices.speaker', 'devices.unnamedSpeaker')],
  ];
  const dialog = h(
    'dialog',
    { class: 'devices-dialog', attrs: { 'aria-labelledby': 'devices-dialog-title' } },
    h('h2', { id: 'devices-dialog-title', msg: 'devices.title' }),
    selects[0]![2].root,
    selects[1]![2].root,
    canChooseSpeaker() ? selects[2]![2].root : null,
    h('form', { attrs: { method: 'dialog' } }, h('button', { class: 'button', msg: 'common.close', attrs: { type: 'submit' } })),
  );
  const open = async () => {
    const lists = await listDevices();
    for (const [kind, list, select] of selects) select.setOptions(lists[list], call()?.activeDevice(kind) ?? null);
    dialog.showModal();
  };
  return { dialog, open };
}

export function createCallControls(options: CallControlsOptions): CallControls {
  const { call } = options;
  let audioOnly = false;
  const run = (action: () => Promise<void>) => {
    action()
      .catch(() => options.onDeviceError())
      .finally(sync);
  };
  const mic = toggleButton('call.microphone', 'control-mic', () =>
    run(async () => {
      const on = !call()!.isMicrophoneOn();
      await call()!.setMicrophone(on);
      if (on) options.onMicrophoneOn();
    }),
  );
  const camera = toggleButton('call.camera', 'control-camera', () => run(() => call()!.setCamera(!call()!.isCameraOn())));
  const audioOnlyToggle = toggleButton('call.audioOnly', 'control-audio-only', () => {
    audioOnly = !audioOnly;
    run(() => call()!.setAudioOnly(audioOnly));
  });
  const devices = devicesDialog(run, call);
  const toolbar = h('div', { class: 'call-controls', attrs: { role: 'toolbar' }, msgAttrs: { 'aria-label': 'call.controls' } },
    mic.button,
    camera.button,
    audioOnlyToggle.button,
    controlButton('control-devices', 'call.devices', { 'aria-haspopup': 'dialog' }, () => void devices.open()),
    controlButton('control-privacy', 'call.privacy', { 'aria-keyshortcuts': 'Escape' }, () => options.openPrivacy()),
    controlButton('control-leave', 'call.leave', {}, () => options.onLeave()));

  function sync() {
    const current = call();
    if (!current) return;
    mic.set(current.isMicrophoneOn());
    camera.set(current.isCameraOn());
    audioOnlyToggle.set(audioOnly);
  }
  return { toolbar, devicesDialog: devices.dialog, sync };
}
