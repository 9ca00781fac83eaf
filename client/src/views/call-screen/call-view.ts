/**
 * The call screen, for clients and the therapist alike: tiles, controls, the
 * reconnecting banner, the one-click "enable sound", and the privacy screen.
 * The parts are `tile-grid.ts`, `call-controls.ts`, `encryption-status.ts` and
 * `privacy-screen.ts`; this puts them on one screen.
 */
import type { CallCode } from '../../call/call-code.ts';
import type { CallConnection, CallRoom, Encryption, PeerSnapshot } from '../../call/call-room.ts';
import { bindText, clearText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { createCallControls } from './call-controls.ts';
import { createEncryptionStatus } from './encryption-status.ts';
import { createPrivacyScreen } from './privacy-screen.ts';
import { createTileGrid } from './tile-grid.ts';

export interface CallView {
  readonly root: HTMLElement;
  readonly audioSink: HTMLElement;
  bind(call: CallRoom): void;
  renderPeers(peers: PeerSnapshot[]): void;
  setConnection(state: CallConnection): void;
  /** Admitted before the therapist is in the call: nobody can make the key yet, so say who we wait for. */
  setWaitingForTherapist(waiting: boolean): void;
  setAudioBlocked(blocked: boolean): void;
  setEncryption(encryption: Encryption): void;
  /** The verification code of everyone's public keys, and what changed. */
  setCode(code: CallCode): void;
  notice(key: MessageKey | null): void;
  destroy(): void;
}

export interface CallViewOptions {
  headingKey: MessageKey;
  onLeave(): void;
  /** Extra content beside the tiles (the therapist's controls). */
  aside?: HTMLElement;
  /** The therapist's "Codes compared" (the console only). */
  onCodesCompared?: () => void;
}

/** A one-line notice in the call ("your therapist muted you", a device error). */
function noticeLine() {
  const box = h('p', { class: 'call-notice', attrs: { role: 'status', 'aria-live': 'polite' } });
  let shown: MessageKey | null = null;
  return {
    box,
    shown: () => shown,
    show(key: MessageKey | null) {
      shown = key;
      if (key) bindText(box, key);
      else clearText(box);
      box.hidden = key === null;
    },
  };
}

export function createCallView(options: CallViewOptions): CallView {
  let call: CallRoom | null = null;
  const grid = createTileGrid((identity, video) => call?.attachVideo(identity, video));
  const audioSink = h('div', { class: 'audio-sink', attrs: { 'aria-hidden': 'true' } });
  const banner = h('div', { class: 'call-banner', attrs: { role: 'status', 'aria-live': 'polite' } });
  let connection: CallConnection = 'connecting';
  let waitingForTherapist = false;
  const showConnection = () => {
    banner.hidden = connection !== 'reconnecting' && connection !== 'connecting';
    if (connection === 'reconnecting') bindText(banner, 'call.reconnecting');
    else if (connection === 'connecting') bindText(banner, waitingForTherapist ? 'call.waitingForTherapist' : 'call.connecting');
    root.dataset.connection = connection;
    root.dataset.waitingForTherapist = String(waitingForTherapist && connection === 'connecting');
  };
  const notice = noticeLine();
  const encryption = createEncryptionStatus({ onCompared: options.onCodesCompared });
  const soundButton = h('button', { class: 'button primary sound-button', msg: 'call.enableSound', attrs: { type: 'button', hidden: true }, on: { click: () => void call?.enableAudio() } });
  const privacy = createPrivacyScreen((on) => call?.setPrivacy(on) ?? Promise.resolve());
  const controls = createCallControls({
    call: () => call,
    onLeave: options.onLeave,
    openPrivacy: () => privacy.open(),
    // "Your therapist muted you" is over once the person turns the microphone back on.
    onMicrophoneOn: () => notice.shown() === 'call.mutedByHost' && notice.show(null),
    onDeviceError: () => bindText(notice.box, 'call.deviceError'),
  });
  const stage = h('section', { class: 'call-stage', msgAttrs: { 'aria-label': 'call.participants' } }, grid.root);
  const root = h('div', { class: 'call-screen' },
    h('h1', { class: 'visually-hidden', msg: options.headingKey }),
    encryption.alert, banner, soundButton, notice.box, encryption.line, encryption.news,
    h('div', { class: 'call-body' }, stage, options.aside ?? null),
    controls.toolbar, audioSink, controls.devicesDialog, privacy.root);

  const onKey = (event: KeyboardEvent) => {
    // A view made ahead of the call (the waiting room warms one) answers no key until it is on the page.
    if (!root.isConnected || event.key !== 'Escape' || document.querySelector('dialog[open]') || privacy.isOpen()) return;
    event.preventDefault();
    privacy.open();
  };
  document.addEventListener('keydown', onKey);
  showConnection();

  return {
    root,
    audioSink,
    bind(room) {
      call = room;
      controls.sync();
    },
    renderPeers(peers) {
      grid.render(peers);
      controls.sync();
    },
    setConnection(state) {
      connection = state;
      showConnection();
    },
    setWaitingForTherapist(waiting) {
      waitingForTherapist = waiting;
      showConnection();
    },
    setEncryption: (state) => encryption.set(state),
    setCode: (code) => encryption.setCode(code),
    setAudioBlocked(blocked) {
      soundButton.hidden = !blocked;
    },
    notice: (key) => notice.show(key),
    destroy() {
      document.removeEventListener('keydown', onKey);
      privacy.destroy();
      if (controls.devicesDialog.open) controls.devicesDialog.close();
    },
  };
}
