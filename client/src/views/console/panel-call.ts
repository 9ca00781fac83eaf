/**
 * The therapist's side of the call in a session panel: "Start session and join the call"
 * (which starts the session and recreates a room a restarted LiveKit forgot), the console as
 * the call's key authority (`call/key-authority.ts`: a new pair and a new media key at every
 * join, sealed to each admitted client), the shared call controller in the panel's call slot,
 * the login kept alive while talking, and back to the placeholder when the call is left or
 * dropped.
 */
import { COMMANDS, type CallMember, type CallMembersFact, type TakeHomeResource } from '@alcove/shared';
import { sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { therapistApi } from '../../api/therapist-api.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import type { KeyAuthority } from '../../call/key-authority.ts';
import { openCall, preloadCall, type CallCode, type CallController } from '../call-screen/call-controller.ts';
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
  /** The take-home list as it is now (the panel's "Resources to take home"). */
  resources(): TakeHomeResource[];
  /** LiveKit says the session was ended (by this console elsewhere, or the server). */
  onSessionEnded(): void;
}

export interface PanelCall {
  /** The call slot: the call view, or the placeholder with the join button. */
  readonly slot: HTMLElement;
  readonly joinButton: HTMLButtonElement;
  isInCall(): boolean;
  leave(reasonKey?: MessageKey): Promise<void>;
  /** The call's member list changed (ignored when not in the call). */
  onMembers(fact: CallMembersFact): void;
  /** The take-home list changed: sealed again to everyone in the call. */
  shareResources(): void;
}

/** Loaded with the call's chunk: the key authority is needed only once the therapist joins. */
const loadKeyAuthority = () => import('../../call/key-authority.ts');

export function createPanelCall(deps: PanelCallDeps): PanelCall {
  // The call's code (livekit-client, its E2EE worker's module, the key authority) loads with the panel, not on the click.
  void Promise.all([preloadCall(), loadKeyAuthority()]).catch(() => undefined);
  let call: CallController | null = null;
  let authority: KeyAuthority | null = null;
  let keepAlive = 0;
  let members: CallMember[] = [];
  let sharing: Promise<void> = Promise.resolve();

  /**
   * The whole current list, sealed by our call key to each client in the member list and relayed
   * one by one (never stored). On every edit and every member change (a join, a rejoin, a release
   * from hold, a reloaded client with a new key): a client always holds the list as it is now. A
   * client who stayed in the list with the same keys and already took this very list is not sent
   * it again: on a couple's quick changes that would be one envelope per partner per change.
   */
  const holding = new Map<string, string>();
  const holderOf = (member: CallMember) => `${member.memberId} ${member.publicKeys.map((tag) => JSON.stringify(tag)).join(' ')}`;
  function shareResources() {
    const keys = authority;
    if (!keys) return;
    const list = deps.resources();
    const version = JSON.stringify(list);
    const clients = members.filter((m) => m.role === 'client');
    const { sessionId, socket } = deps;
    // In order, one change after the other: a partner who left between two changes is sent the list again.
    sharing = sharing.then(async () => {
      const present = new Set(clients.map(holderOf));
      for (const holder of holding.keys()) if (!present.has(holder)) holding.delete(holder);
      await Promise.all(
        clients.map(async (member) => {
          const holder = holderOf(member);
          if (holding.get(holder) === version) return;
          const envelope = await keys.sealResources(member, list).catch(() => null);
          // A client no longer admitted (a removal under way) is refused; the next list says so.
          if (!envelope) return;
          const sent = await sendCommand(socket, COMMANDS.sendResources, { sessionId, participantId: member.memberId, envelope }).then(
            () => true,
            () => false,
          );
          if (sent && keys === authority) holding.set(holder, version);
        }),
      );
    });
  }

  function onMembers(fact: CallMembersFact) {
    if (!authority || fact.sessionId !== deps.sessionId) return;
    members = fact.members;
    authority.onMembers(fact);
    shareResources();
  }
  const joinButton = h('button', { class: 'button primary', msg: 'panel.joinCall', attrs: { type: 'button', 'data-action': 'join-call' } });
  const placeholder = () => h('div', { class: 'call-placeholder' }, h('p', { msg: deps.isEnded() ? 'panel.ended' : 'panel.notInCall' }), joinButton);
  const slot = h('div', { class: 'call-slot' }, placeholder());

  async function leave(reasonKey?: MessageKey) {
    window.clearInterval(keepAlive);
    const current = call;
    call = null;
    // Our keys leave the member list with us: nobody waits for a key from a console not in the call.
    authority?.stop();
    if (authority) void sendCommand(deps.socket, COMMANDS.leaveCall, { sessionId: deps.sessionId }).catch(() => undefined);
    authority = null;
    members = [];
    holding.clear();
    await current?.close();
    slot.replaceChildren(placeholder());
    if (reasonKey) deps.say(reasonKey);
    deps.onLeft();
  }

  async function join() {
    const { sessionId, socket } = deps;
    const [first, { createKeyAuthority }] = await Promise.all([therapistApi.startSession(sessionId), loadKeyAuthority(), preloadCall()]);
    let code: CallCode | null = null;
    const keys = await createKeyAuthority({
      sessionId,
      send: (participantId, envelope) => sendCommand(socket, COMMANDS.sendKey, { sessionId, participantId, envelope }),
      activate: async (keyIndex) => void (await sendCommand(socket, COMMANDS.activateKey, { sessionId, keyIndex })),
      install: async (key) => call?.installKey(key),
      activateLocal: (keyIndex) => call?.activateKey(keyIndex),
      onCode: (next) => {
        code = next;
        call?.setCode(next);
      },
    });
    authority = keys;
    call = await openCall({
      headingKey: 'call.titleTherapist',
      prefs: { cameraOn: false, micOn: true, audioInput: null, videoInput: null, audioOutput: null },
      mount: (root) => slot.replaceChildren(root),
      // Starting again is idempotent (and recreates a room a restarted LiveKit forgot); the key is ours.
      fetchJoin: async () => {
        const fresh = await therapistApi.startSession(sessionId);
        return { url: fresh.url, token: fresh.token, key: keys.current() };
      },
      fetchKey: async () => keys.current(),
      onCodesCompared: () => void keys.markCompared(),
      onLeave: () => void leave(),
      onEnded: (reason) => {
        if (reason === 'ended') deps.onSessionEnded();
        else if (reason !== 'left') void leave('panel.callDropped');
      },
    });
    if (code) call.setCode(code);
    onMembers(await sendCommand(socket, COMMANDS.announceSessionKey, { sessionId, publicKeys: keys.publicKeys }));
    await call.connect({ url: first.url, token: first.token, key: keys.current() });
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
    onMembers,
    shareResources,
  };
}
