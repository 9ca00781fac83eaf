/**
 * The call, for the client's journey and the therapist's console alike: the call view bound
 * to a call that rejoins by itself after a lost media connection (`call/media-reconnect.ts`),
 * with the call's media key installed and switched as the therapist's console says (sealed
 * to this browser; `call/client-keys.ts`, `call/key-authority.ts`). The two controllers only
 * say where the view goes, how to ask for a token and the current key, and what an end means
 * to them. livekit-client stays in its own chunk: this module loads it on the first call.
 */
import type { CallCode } from '../../call/call-code.ts';
import type { CallEndReason, CallPreferences, CallRoom, SessionKey } from '../../call/call-room.ts';
import type { MediaJoin } from '../../call/media-reconnect.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { createCallView, type CallView } from './call-view.ts';

export type { CallCode, CallEndReason, CallPreferences, MediaJoin, SessionKey };

/** Loads livekit-client and the rejoining call; call it early (the waiting room) so joining is quick. */
export const preloadCall = () => import('../../call/media-reconnect.ts');

export interface CallOptions {
  headingKey: MessageKey;
  prefs: CallPreferences;
  /** Puts the call view on the page (the client's screen, the console's call slot). */
  mount(root: HTMLElement): void;
  /** A fresh media token (from our server) and the call's current key (held by this page), for every rejoin. */
  fetchJoin(): Promise<MediaJoin>;
  /** The call's current key alone (a rotated key this call never got). */
  fetchKey(): Promise<SessionKey>;
  /** The therapist's "Codes compared" (the console only). */
  onCodesCompared?: () => void;
  /** The person pressed Leave. */
  onLeave(): void;
  /** The media connection ended for good (a loss that is being rejoined is not an end). */
  onEnded(reason: CallEndReason): void;
}

export interface CallController {
  /**
   * Refuses (EncryptionUnavailableError) rather than join unencrypted. The key is set and the
   * connection started first; `onStarted` runs once it is under way (to put the view up then).
   */
  connect(join: MediaJoin, onStarted?: () => void): Promise<void>;
  /** The preview's running camera, published once connected instead of opening the camera again. */
  adoptCamera(track: MediaStreamTrack): void;
  /** A rotated key: held for decrypting at once, used for encrypting only after `activateKey`. */
  installKey(key: SessionKey): Promise<void>;
  /** Everyone holds the key in this slot now: encrypt with it. */
  activateKey(keyIndex: number): void;
  /** The verification code of everyone's public keys, and what changed. */
  setCode(code: CallCode): void;
  /** No key came though the therapist is in the call: the hard alert, nothing joined. */
  failEncryption(): void;
  /** A one-line notice in the call (the therapist muted you). */
  notice(key: MessageKey): void;
  /** Admitted before the therapist is in the call: "Your therapist will join the call in a moment." */
  setWaitingForTherapist(waiting: boolean): void;
  /** The "Reconnecting…" banner, while the controller waits to hear why the call ended. */
  showReconnecting(): void;
  /** Takes the view down and leaves the room; never throws. */
  close(): Promise<void>;
}

function viewCallbacks(view: CallView, onEnded: (reason: CallEndReason) => void) {
  return {
    onPeersChanged: view.renderPeers,
    onConnection: view.setConnection,
    onAudioBlocked: view.setAudioBlocked,
    onEncryption: view.setEncryption,
    onEnded,
  };
}

function controllerOf(view: CallView, room: CallRoom): CallController {
  return {
    connect: (join, onStarted) => room.connect(join.url, join.token, join.key, onStarted),
    adoptCamera: (track) => room.adoptCamera(track),
    installKey: (key) => room.installKey(key),
    activateKey: (keyIndex) => room.activateKey(keyIndex),
    setCode: (code) => view.setCode(code),
    failEncryption: () => view.setEncryption({ state: 'failed' }),
    notice: (key) => view.notice(key),
    setWaitingForTherapist: (waiting) => view.setWaitingForTherapist(waiting),
    showReconnecting: () => view.setConnection('reconnecting'),
    async close() {
      view.destroy();
      await room.leave().catch(() => undefined);
    },
  };
}

/** A call made ahead of time: its Room, E2EE worker and view exist, nothing is on the page or connected yet. */
export interface PreparedCall {
  readonly call: CallController;
  /** Puts the view on the page (once; never after the call was closed). */
  show(): void;
}

/**
 * Makes the call without showing it: livekit-client loaded, the Room and its E2EE worker made,
 * the view built off the page, and (given LiveKit's URL) the way to LiveKit warmed — what the
 * waiting room does, so that being let in only sets the key and connects. `openCall` is this
 * and `show` at once.
 */
export async function prepareCall(options: CallOptions & { mediaUrl?: string | null }): Promise<PreparedCall> {
  const { createRejoiningCall } = await preloadCall();
  const view = createCallView({ headingKey: options.headingKey, onLeave: options.onLeave, onCodesCompared: options.onCodesCompared });
  let room: CallRoom;
  try {
    room = createRejoiningCall({
      prefs: options.prefs,
      audioSink: view.audioSink,
      callbacks: viewCallbacks(view, options.onEnded),
      fetchJoin: options.fetchJoin,
      fetchKey: options.fetchKey,
    });
  } catch (error) {
    view.destroy();
    throw error;
  }
  view.bind(room);
  if (options.mediaUrl) room.prepare(options.mediaUrl);
  let shown = false;
  let closed = false;
  const controller = controllerOf(view, room);
  const call: CallController = {
    ...controller,
    async close() {
      closed = true;
      await controller.close();
    },
  };
  return {
    call,
    show() {
      if (shown || closed) return;
      shown = true;
      options.mount(view.root);
    },
  };
}

/** Shows the call view and prepares the call; `connect` joins it. */
export async function openCall(options: CallOptions): Promise<CallController> {
  const prepared = await prepareCall(options);
  prepared.show();
  return prepared.call;
}
