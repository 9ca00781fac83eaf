/**
 * The call screen, for clients and the therapist alike: tiles, controls, the
 * reconnecting banner, the one-click "enable sound", and the privacy screen.
 */
import type { CallConnection, CallRoom, Encryption, PeerSnapshot } from '../../call/call-room.ts';
import { listDevices } from '../../call/device-list.ts';
import { canChooseSpeaker } from '../../call/media-support.ts';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { createDeviceSelect } from './device-select.ts';
import { createParticipantTile, type ParticipantTile } from './participant-tile.ts';
import { createPrivacyScreen } from './privacy-screen.ts';

export interface CallView {
  readonly root: HTMLElement;
  readonly audioSink: HTMLElement;
  bind(call: CallRoom): void;
  renderPeers(peers: PeerSnapshot[]): void;
  setConnection(state: CallConnection): void;
  setAudioBlocked(blocked: boolean): void;
  setEncryption(encryption: Encryption): void;
  notice(key: MessageKey | null): void;
  destroy(): void;
}

export interface CallViewOptions {
  headingKey: MessageKey;
  onLeave(): void;
  /** Extra content beside the tiles (the therapist's controls). */
  aside?: HTMLElement;
}

/** A toggle keeps one accessible name ("Camera"); aria-pressed carries on/off, and the visible on/off word is only a visual echo. */
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

export function createCallView(options: CallViewOptions): CallView {
  let call: CallRoom | null = null;
  const tiles = new Map<string, ParticipantTile>();
  const grid = h('div', { class: 'tiles', attrs: { 'data-count': 1 } });
  const audioSink = h('div', { class: 'audio-sink', attrs: { 'aria-hidden': 'true' } });
  const banner = h('div', { class: 'call-banner', attrs: { role: 'status', 'aria-live': 'polite' } });
  const noticeBox = h('p', { class: 'call-notice', attrs: { role: 'status', 'aria-live': 'polite' } });
  const encryption = h('p', { class: 'call-encryption', attrs: { 'data-state': 'pending' } }, h('span', { msg: 'call.encryption.pending' }));
  const encryptionError = h('p', { class: 'call-encryption-error', msg: 'call.encryption.failed', attrs: { role: 'alert', hidden: true } });
  const soundButton = h('button', {
    class: 'button primary sound-button',
    msg: 'call.enableSound',
    attrs: { type: 'button', hidden: true },
    on: { click: () => void call?.enableAudio() },
  });

  const run = (action: () => Promise<void>) => {
    action()
      .catch(() => bindText(noticeBox, 'call.deviceError'))
      .finally(syncControls);
  };
  const mic = toggleButton('call.microphone', 'control-mic', () =>
    run(async () => {
      const on = !call!.isMicrophoneOn();
      await call!.setMicrophone(on);
      // "Your therapist muted you" is over once the person turns the microphone back on.
      if (on && noticeKey === 'call.mutedByHost') showNotice(null);
    }),
  );
  const camera = toggleButton('call.camera', 'control-camera', () => run(() => call!.setCamera(!call!.isCameraOn())));
  let audioOnly = false;
  const audioOnlyToggle = toggleButton('call.audioOnly', 'control-audio-only', () => {
    audioOnly = !audioOnly;
    run(() => call!.setAudioOnly(audioOnly));
  });
  const privacy = createPrivacyScreen((on) => call?.setPrivacy(on) ?? Promise.resolve());
  const privacyButton = h('button', {
    class: 'control control-privacy',
    attrs: { type: 'button', 'aria-keyshortcuts': 'Escape' },
    on: { click: () => privacy.open() },
  }, h('span', { class: 'control-icon', attrs: { 'aria-hidden': 'true' } }), h('span', { msg: 'call.privacy' }));

  // Devices dialog
  const micSelect = createDeviceSelect('devices.microphone', 'devices.unnamedMicrophone', (id) => run(() => call!.switchDevice('audioinput', id)));
  const camSelect = createDeviceSelect('devices.camera', 'devices.unnamedCamera', (id) => run(() => call!.switchDevice('videoinput', id)));
  const speakerSelect = createDeviceSelect('devices.speaker', 'devices.unnamedSpeaker', (id) => run(() => call!.switchDevice('audiooutput', id)));
  const dialog = h(
    'dialog',
    { class: 'devices-dialog', attrs: { 'aria-labelledby': 'devices-dialog-title' } },
    h('h2', { id: 'devices-dialog-title', msg: 'devices.title' }),
    micSelect.root,
    camSelect.root,
    canChooseSpeaker() ? speakerSelect.root : null,
    h('form', { attrs: { method: 'dialog' } }, h('button', { class: 'button', msg: 'common.close', attrs: { type: 'submit' } })),
  );
  const devicesButton = h('button', {
    class: 'control control-devices',
    attrs: { type: 'button', 'aria-haspopup': 'dialog' },
    on: {
      click: async () => {
        const lists = await listDevices();
        micSelect.setOptions(lists.audioInput, call?.activeDevice('audioinput') ?? null);
        camSelect.setOptions(lists.videoInput, call?.activeDevice('videoinput') ?? null);
        speakerSelect.setOptions(lists.audioOutput, call?.activeDevice('audiooutput') ?? null);
        dialog.showModal();
      },
    },
  }, h('span', { class: 'control-icon', attrs: { 'aria-hidden': 'true' } }), h('span', { msg: 'call.devices' }));
  const leaveButton = h('button', {
    class: 'control control-leave',
    attrs: { type: 'button' },
    on: { click: () => options.onLeave() },
  }, h('span', { class: 'control-icon', attrs: { 'aria-hidden': 'true' } }), h('span', { msg: 'call.leave' }));

  const controls = h('div', { class: 'call-controls', attrs: { role: 'toolbar' }, msgAttrs: { 'aria-label': 'call.controls' } },
    mic.button, camera.button, audioOnlyToggle.button, devicesButton, privacyButton, leaveButton);

  const stage = h('section', { class: 'call-stage', msgAttrs: { 'aria-label': 'call.participants' } }, grid);
  const root = h('div', { class: 'call-screen' },
    h('h1', { class: 'visually-hidden', msg: options.headingKey }),
    encryptionError, banner, soundButton, noticeBox, encryption,
    h('div', { class: 'call-body' }, stage, options.aside ?? null),
    controls, audioSink, dialog, privacy.root);

  let noticeKey: MessageKey | null = null;
  function syncControls() {
    if (!call) return;
    mic.set(call.isMicrophoneOn());
    camera.set(call.isCameraOn());
    audioOnlyToggle.set(audioOnly);
  }

  function showNotice(key: MessageKey | null) {
    noticeKey = key;
    if (key) bindText(noticeBox, key);
    else noticeBox.textContent = '';
    noticeBox.hidden = key === null;
  }

  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || document.querySelector('dialog[open]') || privacy.isOpen()) return;
    event.preventDefault();
    privacy.open();
  };
  document.addEventListener('keydown', onKey);

  return {
    root,
    audioSink,
    bind(room) {
      call = room;
      syncControls();
    },
    renderPeers(peers) {
      const seen = new Set<string>();
      for (const peer of peers) {
        seen.add(peer.identity);
        let tile = tiles.get(peer.identity);
        if (!tile) {
          tile = createParticipantTile();
          tiles.set(peer.identity, tile);
          // The others first, yourself last (and smaller on a phone).
          const localTile = grid.querySelector('.tile.is-local');
          if (peer.isLocal || !localTile) grid.append(tile.root);
          else grid.insertBefore(tile.root, localTile);
        }
        tile.update(peer, (video) => call?.attachVideo(peer.identity, video));
      }
      for (const [identity, tile] of tiles) {
        if (seen.has(identity)) continue;
        tile.root.remove();
        tiles.delete(identity);
      }
      grid.dataset.count = String(tiles.size);
      syncControls();
    },
    setConnection(state) {
      banner.hidden = state !== 'reconnecting' && state !== 'connecting';
      if (state === 'reconnecting') bindText(banner, 'call.reconnecting');
      else if (state === 'connecting') bindText(banner, 'call.connecting');
      root.dataset.connection = state;
    },
    setEncryption(state) {
      if (state.state === 'on') {
        encryption.dataset.state = 'on';
        // The code is for reading aloud: everyone in the call must see the same digits.
        encryption.replaceChildren(
          h('span', { class: 'lock', attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'encryption-label', msg: 'call.encryption.on' }),
          ' · ',
          h('span', { msg: 'call.encryption.code' }),
          ' ',
          h('strong', { class: 'verification-code' }, state.verificationCode),
          h('span', { class: 'hint', msg: 'call.encryption.compare' }),
        );
      } else {
        // The code stays visible: a different code is how people find out whose key is wrong.
        encryption.dataset.state = 'failed';
        const label = encryption.querySelector('.encryption-label');
        if (label) bindText(label, 'call.encryption.problem');
        encryptionError.hidden = false;
      }
    },
    setAudioBlocked(blocked) {
      soundButton.hidden = !blocked;
    },
    notice: (key) => showNotice(key),
    destroy() {
      document.removeEventListener('keydown', onKey);
      privacy.destroy();
      if (dialog.open) dialog.close();
    },
  };
}

