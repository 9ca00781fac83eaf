/**
 * The therapist's side of the call in a session panel: "Start session and join the call"
 * (which starts the session and recreates a room a restarted LiveKit forgot), the shared call
 * controller in the panel's call slot, the login kept alive while talking, and back to the
 * placeholder when the call is left or dropped.
 */
import { COMMANDS, type E2eeKeyFact } from '@alcove/shared';
import { sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { therapistApi } from '../../api/therapist-api.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { openCall, preloadCall, type CallController, type MediaJoin } from '../call-screen/call-controller.ts';
import { h } from '../common/dom-builder.ts';
import { panelErrorKey } from './panel-error.ts';

/** Well inside the server's idle logout (15 min by default). */
const KEEP_ALIVE_MS = 60_000;

export interface PanelCallDeps {
  socket: AlcoveSocket;
  sessionId: string;
  say(key: MessageKey): void;
  isEnded(): boolean;
  /** The call is up: the session is live. */
  onJoined(): void;
  /** The call is gone (left, dropped, failed): the panel re-renders. */
  onLeft(): void;
  /** LiveKit says the session was ended (by this console elsewhere, or the server). */
  onSessionEnded(): void;
}

export interface PanelCall {
  /** The call slot: the call view, or the placeholder with the join button. */
  readonly slot: HTMLElement;
  readonly joinButton: HTMLButtonElement;
  isInCall(): boolean;
  leave(reasonKey?: MessageKey): Promise<void>;
  /** Resolves once the key is in (at once when not in the call). */
  installKey(key: E2eeKeyFact): Promise<void>;
  activateKey(keyIndex: number): void;
}

/** Starting again is idempotent: the same two questions serve the first join and every rejoin. */
async function askToJoin(socket: AlcoveSocket, sessionId: string): Promise<MediaJoin> {
  const fresh = await therapistApi.startSession(sessionId);
  const key = await sendCommand(socket, COMMANDS.getSessionKey, { sessionId });
  return { url: fresh.url, token: fresh.token, key };
}

export function createPanelCall(deps: PanelCallDeps): PanelCall {
  let call: CallController | null = null;
  let keepAlive = 0;
  const joinButton = h('button', { class: 'button primary', msg: 'panel.joinCall', attrs: { type: 'button', 'data-action': 'join-call' } });
  const placeholder = () => h('div', { class: 'call-placeholder' }, h('p', { msg: deps.isEnded() ? 'panel.ended' : 'panel.notInCall' }), joinButton);
  const slot = h('div', { class: 'call-slot' }, placeholder());

  async function leave(reasonKey?: MessageKey) {
    window.clearInterval(keepAlive);
    const current = call;
    call = null;
    await current?.close();
    slot.replaceChildren(placeholder());
    if (reasonKey) deps.say(reasonKey);
    deps.onLeft();
  }

  async function join() {
    const [first] = await Promise.all([therapistApi.startSession(deps.sessionId), preloadCall()]);
    const key = await sendCommand(deps.socket, COMMANDS.getSessionKey, { sessionId: deps.sessionId });
    call = await openCall({
      headingKey: 'call.titleTherapist',
      prefs: { cameraOn: false, micOn: true, audioInput: null, videoInput: null, audioOutput: null },
      mount: (root) => slot.replaceChildren(root),
      fetchJoin: () => askToJoin(deps.socket, deps.sessionId),
      fetchKey: () => sendCommand(deps.socket, COMMANDS.getSessionKey, { sessionId: deps.sessionId }),
      onLeave: () => void leave(),
      onEnded: (reason) => {
        if (reason === 'ended') deps.onSessionEnded();
        else if (reason !== 'left') void leave('panel.callDropped');
      },
    });
    await call.connect({ url: first.url, token: first.token, key });
    // Being in a call is activity: keep the login from idling out while talking.
    keepAlive = window.setInterval(() => void sendCommand(deps.socket, COMMANDS.keepAlive, {}).catch(() => undefined), KEEP_ALIVE_MS);
    deps.onJoined();
  }

  joinButton.addEventListener('click', async () => {
    joinButton.disabled = true;
    try {
      await join();
    } catch (error) {
      await leave();
      deps.say(panelErrorKey(error));
    } finally {
      joinButton.disabled = false;
    }
  });

  return {
    slot,
    joinButton,
    isInCall: () => call !== null,
    leave,
    installKey: async (key) => call?.installKey(key),
    activateKey: (keyIndex) => call?.activateKey(keyIndex),
  };
}
