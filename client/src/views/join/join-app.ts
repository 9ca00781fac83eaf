/**
 * The client's journey from an invite link: notice → check-in (device check,
 * name) → waiting room → call → a kind closing page. The server is the source
 * of truth: after any drop we reconnect and ask it where we are.
 */
import { COMMANDS, FACTS, type WaitingRoomMessage } from '@alcove/shared';
import { ApiError } from '../../api/http-client.ts';
import { fetchClientMediaToken, fetchConnectionCheck } from '../../api/join-api.ts';
import { CommandError, connectAsClient, handshakeErrorCode, sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { EncryptionUnavailableError, type CallEndReason, type CallRoom } from '../../call/call-room.ts';
import { createConnectionCheck } from '../../call/connection-check.ts';
import { createLocalPreview } from '../../call/local-preview.ts';
import { browserProblem } from '../../call/media-support.ts';
import { formatTime, type MessageParams } from '../../i18n/translate.ts';
import { deviceId } from '../../state/device-id.ts';
import { currentInvite, forgetInvite } from '../../state/invite-store.ts';
import { loadJourney, resetJourney, saveJourney } from '../../state/journey-store.ts';
import { createCallView, type CallView } from '../call/call-view.ts';
import { h } from '../common/dom-builder.ts';
import { createPageShell } from '../common/page-shell.ts';
import { checkInView, type CheckInView } from './check-in-view.ts';
import { closedView, type ClosedReason } from './closed-view.ts';
import { noticeView } from './notice-view.ts';
import { waitingRoomView, type WaitingRoomView } from './waiting-room-view.ts';

type Screen = 'connecting' | 'notice' | 'check-in' | 'waiting' | 'call' | 'closed';

/** After the media connection drops, how long to wait for the server to say why before rejoining. */
const CALL_DROP_SETTLE_MS = 1500;
const loadCallRoom = () => import('../../call/media-reconnect.ts');

export function startJoinApp(mount: HTMLElement): void {
  const shell = createPageShell(mount, 'brand.client');
  const invite = currentInvite();
  if (!invite) {
    shell.show(closedView('invalid-invite', {}, null), 'closed');
    return;
  }
  if (browserProblem() === 'unsupported') {
    shell.show(closedView('unsupported', {}, null), 'closed');
    return;
  }

  const preview = createLocalPreview();
  let screen: Screen = 'connecting';
  let teardown: () => void = () => undefined;
  let checkIn: CheckInView | null = null;
  let waiting: WaitingRoomView | null = null;
  let call: { room: CallRoom | null; view: CallView } | null = null;
  let joining = false;
  let leaving = false;
  let lastMessage: WaitingRoomMessage | null = null;

  const isClosed = () => screen === 'closed';
  const show = (name: Screen, element: HTMLElement, destroy: () => void = () => undefined) => {
    teardown();
    teardown = destroy;
    screen = name;
    checkIn = null;
    waiting = null;
    shell.show(element, name);
  };

  const socket: AlcoveSocket = connectAsClient(invite, deviceId());
  const connectionCheck = createConnectionCheck({ fetchRoom: () => fetchConnectionCheck(invite, deviceId()), report: (verdict) => sendCommand(socket, COMMANDS.reportConnection, { verdict }) });
  show('connecting', h('section', { class: 'card' }, h('h1', { msg: 'common.connecting' })));

  // ---------- screens ----------

  function showNotice() {
    show('notice', noticeView(() => {
      saveJourney({ noticeRead: true });
      showCheckIn();
    }));
  }

  function showCheckIn() {
    const view = checkInView(preview, loadJourney().displayName, (name) => void checkInAs(name, true), connectionCheck);
    show('check-in', view.root, () => view.destroy());
    checkIn = view;
  }

  function showWaiting(statusKey: 'waiting.status.waiting' | 'waiting.status.sentBack' = 'waiting.status.waiting') {
    if (screen !== 'waiting') {
      // The microphone test stops while waiting; the device check reopens it on demand.
      preview.stopMicrophone();
      const view = waitingRoomView(preview, loadJourney().displayName ?? '', () => void leave());
      show('waiting', view.root, () => view.destroy());
      waiting = view;
      // Load the media library now, so being let in is quick.
      void loadCallRoom();
    }
    // The status line is itself a live region: no second announcement.
    waiting?.setStatus(statusKey);
    waiting?.showMessage(lastMessage);
  }

  function finish(reason: ClosedReason, params: MessageParams = {}) {
    if (screen === 'closed') return;
    void endCall();
    preview.stopAll();
    socket.close();
    if (reason === 'removed' || reason === 'session-ended' || reason === 'invalid-invite') {
      forgetInvite();
      resetJourney();
    }
    let action: { key: 'closed.rejoin' | 'closed.tryAgain'; run: () => void } | null = null;
    if (reason === 'left') {
      saveJourney({ checkedIn: false });
      action = { key: 'closed.rejoin', run: () => location.reload() };
    } else if (reason === 'too-early' || reason === 'device-in-use' || reason === 'unavailable' || reason === 'rate-limited') {
      action = { key: 'closed.tryAgain', run: () => location.reload() };
    }
    show('closed', closedView(reason, params, action));
  }

  // ---------- waiting room ----------

  async function checkInAs(displayName: string, fromForm: boolean) {
    checkIn?.busy(true);
    checkIn?.error(null);
    try {
      const result = await sendCommand(socket, COMMANDS.checkIn, { displayName });
      saveJourney({ displayName, checkedIn: true });
      lastMessage = result.lastMessage;
      if (result.state === 'waiting') {
        if (screen === 'call') void endCall();
        showWaiting();
      } else if (screen !== 'call' || !call) {
        // Also after a call that could not be rejoined: the server says we are still in it.
        void joinCall();
      }
    } catch (error) {
      const code = error instanceof CommandError ? error.body.code : 'internal';
      if (code === 'session_ended') return finish('session-ended');
      if (code === 'invalid_invite') return finish('invalid-invite');
      if (!fromForm) return showCheckIn();
      checkIn?.busy(false);
      checkIn?.error(code === 'bad_request' ? 'checkIn.nameInvalid' : code === 'rate_limited' ? 'checkIn.rateLimited' : 'checkIn.failed');
    }
  }

  async function leave() {
    leaving = true;
    await endCall();
    try {
      await sendCommand(socket, COMMANDS.leave, {});
    } catch {
      // leaving anyway; the server drops the place after its grace period
    }
    finish('left');
  }

  // ---------- the call ----------

  async function endCall() {
    const current = call;
    call = null;
    if (!current) return;
    current.view.destroy();
    await current.room?.leave().catch(() => undefined);
  }

  async function joinCall() {
    if (joining || call || screen === 'closed') return;
    joining = true;
    try {
      const [token, key] = await Promise.all([fetchClientMediaToken(invite!, deviceId()), sendCommand(socket, COMMANDS.getCallKey, {})]);
      const journey = loadJourney();
      const prefs = {
        cameraOn: preview.videoTrack !== null,
        micOn: journey.micOn,
        audioInput: journey.devices.audioInput,
        videoInput: journey.devices.videoInput,
        audioOutput: journey.devices.audioOutput,
      };
      preview.stopAll();
      const { createRejoiningCall } = await loadCallRoom();
      const view = createCallView({ headingKey: 'call.title', onLeave: () => void leave() });
      show('call', view.root, () => undefined);
      const room = createRejoiningCall({
        prefs,
        audioSink: view.audioSink,
        callbacks: {
          onPeersChanged: (peers) => view.renderPeers(peers),
          onConnection: (state) => view.setConnection(state),
          onAudioBlocked: (blocked) => view.setAudioBlocked(blocked),
          onEnded: (reason) => onCallEnded(room, reason),
          onEncryption: (encryption) => view.setEncryption(encryption),
        },
        // After a lost media connection: the same two questions as joining, asked again.
        fetchJoin: async () => {
          const [fresh, currentKey] = await Promise.all([fetchClientMediaToken(invite!, deviceId()), sendCommand(socket, COMMANDS.getCallKey, {})]);
          return { url: fresh.url, token: fresh.token, key: currentKey };
        },
      });
      call = { room, view };
      view.bind(room);
      await room.connect(token.url, token.token, key);
      shell.announce('call.joined');
    } catch (error) {
      await endCall();
      if (error instanceof EncryptionUnavailableError) return finish('unsupported');
      if (error instanceof CommandError && error.body.code === 'not_admitted') return showWaiting();
      if (error instanceof ApiError) {
        if (error.code === 'not_admitted') return showWaiting();
        if (error.code === 'session_ended') return finish('session-ended');
        if (error.code === 'invalid_invite') return finish('removed');
        if (error.code === 'device_in_use') return finish('device-replaced');
      }
      // Media server unreachable or a network blip: ask the server again shortly.
      window.setTimeout(() => {
        if (!isClosed()) void resync();
      }, 2000);
    } finally {
      joining = false;
    }
  }

  function onCallEnded(room: CallRoom, reason: CallEndReason) {
    if (leaving || call?.room !== room) return;
    call.view.setConnection('reconnecting');
    // The socket usually explains (removed, ended, sent back); if it does not, rejoin.
    window.setTimeout(() => {
      if (call?.room !== room || screen === 'closed') return;
      void endCall().then(() => (reason === 'replaced' ? finish('device-replaced') : resync()));
    }, CALL_DROP_SETTLE_MS);
  }

  async function resync() {
    const name = loadJourney().displayName;
    if (socket.connected && name) await checkInAs(name, false);
  }

  // ---------- socket ----------

  socket.on('connect', () => {
    const journey = loadJourney();
    if (journey.checkedIn && journey.displayName) void checkInAs(journey.displayName, false);
    else if (screen === 'connecting') (journey.noticeRead ? showCheckIn : showNotice)();
  });
  socket.on('connect_error', (error: Error & { data?: unknown }) => {
    const code = handshakeErrorCode(error);
    const data = error.data as { details?: { opensAt?: number } } | undefined;
    if (code === 'invalid_invite' || code === 'bad_request' || code === 'unauthorized') return finish('invalid-invite');
    if (code === 'session_ended') return finish('session-ended');
    if (code === 'device_in_use') return finish('device-in-use');
    if (code === 'rate_limited') return finish('rate-limited');
    if (code === 'invite_not_open_yet') return finish('too-early', { time: formatTime(data?.details?.opensAt ?? Date.now()) });
    if (!socket.active) return finish('unavailable');
    if (screen === 'waiting') waiting?.setStatus('waiting.status.reconnecting');
  });
  socket.on('disconnect', (reason) => {
    if (leaving || screen === 'closed') return;
    if (reason === 'io server disconnect') {
      // A close with a reason was handled by FACTS.closed; anything else is unexpected.
      window.setTimeout(() => screen !== 'closed' && !leaving && finish('unavailable'), 500);
      return;
    }
    if (screen === 'waiting') waiting?.setStatus('waiting.status.reconnecting');
  });
  socket.on(FACTS.admitted, () => {
    waiting?.setStatus('waiting.status.admitting');
    void joinCall();
  });
  socket.on(FACTS.sentBack, () => {
    void endCall().then(() => showWaiting('waiting.status.sentBack'));
  });
  socket.on(FACTS.messagePosted, (message) => {
    lastMessage = message;
    waiting?.showMessage(message);
  });
  // The answer tells the server this browser holds the key (or has no call to put it in yet).
  socket.on(FACTS.keyRotated, (key, ready) => void (call?.room?.installKey(key) ?? Promise.resolve()).then(() => ready({ keyIndex: key.keyIndex })));
  socket.on(FACTS.keyActivated, ({ keyIndex }) => call?.room?.activateKey(keyIndex));
  socket.on(FACTS.mutedByHost, () => call?.view.notice('call.mutedByHost'));
  socket.on(FACTS.closed, ({ reason }) => {
    leaving = true;
    const map: Record<typeof reason, ClosedReason> = {
      removed: 'removed',
      'session-ended': 'session-ended',
      'device-replaced': 'device-replaced',
      left: 'left',
    };
    finish(map[reason]);
  });
}
