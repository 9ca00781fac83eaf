/**
 * The client's journey from an invite link: notice → check-in (device check,
 * name) → waiting room → call → a kind closing page. The decisions are the pure
 * `state/join-journey.ts`; this turns socket facts into its events and runs its
 * effects (`join-effects.ts`). The server is the source of truth: after any drop
 * we reconnect and ask it where we are.
 */
import { COMMANDS, FACTS } from '@alcove/shared';
import { fetchConnectionCheck } from '../../api/join-api.ts';
import { connectAsClient, handshakeErrorCode, sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { createClientKeys } from '../../call/client-keys.ts';
import { createConnectionCheck } from '../../call/connection-check.ts';
import { createLocalPreview } from '../../call/local-preview.ts';
import { browserProblem } from '../../call/media-support.ts';
import { deviceId } from '../../state/device-id.ts';
import { currentInvite } from '../../state/invite-store.ts';
import { initialJourney, step, type JourneyEffect, type JourneyEvent } from '../../state/join-journey.ts';
import { loadJourney } from '../../state/journey-store.ts';
import { keepResources } from '../../state/take-home-store.ts';
import { h } from '../common/dom-builder.ts';
import { createPageShell } from '../common/page-shell.ts';
import { closedView } from './closed-view.ts';
import { perform, show, type JoinPage } from './join-effects.ts';

export function startJoinApp(mount: HTMLElement): void {
  const shell = createPageShell(mount, 'brand.client');
  const invite = currentInvite();
  if (!invite) return shell.show(closedView('invalid-invite', {}, null), 'closed');
  if (browserProblem() === 'unsupported') return shell.show(closedView('unsupported', {}, null), 'closed');

  const preview = createLocalPreview();
  let state = initialJourney;
  const run = async (effects: readonly JourneyEffect[]) => {
    for (const effect of effects) await perform(page, effect);
  };
  const dispatch = (event: JourneyEvent) => {
    const next = step(state, event);
    state = next.state;
    void run(next.effects);
  };
  const socket: AlcoveSocket = connectAsClient(invite, deviceId());
  const connectionCheck = createConnectionCheck({
    fetchRoom: () => fetchConnectionCheck(invite, deviceId()),
    report: (verdict) => sendCommand(socket, COMMANDS.reportConnection, { verdict }),
  });
  const keys = createClientKeys({
    announce: (publicKeys) => sendCommand(socket, COMMANDS.announceCallKey, { publicKeys }),
    onCode: (code) => {
      page.code = code;
      page.call?.setCode(code);
    },
    onTherapistInCall: (inCall) => page.call?.setWaitingForTherapist(!inCall),
  });
  const page: JoinPage = { shell, socket, invite, preview, connectionCheck, dispatch, teardown: () => undefined, checkIn: null, waiting: null, call: null, keys, participantId: null, sessionId: null, mediaUrl: null, warm: null, code: null };
  show(page, 'connecting', h('section', { class: 'card' }, h('h1', { msg: 'common.connecting' })));
  listen(page);
}

/** Socket facts become journey events; the key and the host's mute go straight to the call. */
function listen(page: JoinPage): void {
  const { socket, dispatch } = page;
  socket.on('connect', () => {
    const { noticeRead, checkedIn, displayName } = loadJourney();
    dispatch({ type: 'socket-connected', noticeRead, checkedIn, displayName });
  });
  socket.on('connect_error', (error: Error & { data?: unknown }) => {
    const data = error.data as { details?: { opensAt?: number } } | undefined;
    dispatch({ type: 'handshake-failed', code: handshakeErrorCode(error), opensAt: data?.details?.opensAt ?? Date.now(), socketActive: socket.active });
  });
  socket.on('disconnect', (reason) => dispatch({ type: 'socket-dropped', reason }));
  socket.on(FACTS.admitted, () => dispatch({ type: 'admitted' }));
  socket.on(FACTS.sentBack, () => {
    page.keys.forget();
    dispatch({ type: 'sent-back' });
  });
  // Out of the call while the therapist talks with the other partner: the keys we held go with it.
  socket.on(FACTS.held, () => {
    page.keys.forget();
    dispatch({ type: 'held' });
  });
  socket.on(FACTS.messagePosted, (message) => dispatch({ type: 'message-posted', message }));
  socket.on(FACTS.closed, ({ reason }) => dispatch({ type: 'closed-by-server', reason }));
  socket.on(FACTS.members, (fact) => page.keys.onMembers(fact));
  // Only a key sealed to us by our therapist is taken, and answered once it is in the call (or kept for the call to come).
  socket.on(FACTS.keySent, (fact, installed) => {
    void page.keys.receive(fact).then(async (key) => {
      if (!key) return;
      await page.call?.installKey(key);
      installed({ keyIndex: key.keyIndex });
    });
  });
  // The therapist's take-home list, for the exit page; a list not from our therapist is dropped unseen.
  socket.on(FACTS.resourcesSent, (fact) => {
    void page.keys.receiveResources(fact).then((list) => {
      if (list) keepResources(list);
    });
  });
  socket.on(FACTS.keyActivated, ({ keyIndex }) => page.call?.activateKey(keyIndex));
  socket.on(FACTS.mutedByHost, () => page.call?.notice('call.mutedByHost'));
}
