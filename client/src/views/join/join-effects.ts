/**
 * The IO of the client's journey: runs the effects `state/join-journey.ts` decides on (screens,
 * socket commands, the call, timers) and reports their outcomes back as journey events. It
 * holds only what the page has (the views, the call), never a decision.
 */
import { COMMANDS, KEY_READY_TIMEOUT_MS, MISSING_KEY_GRACE_MS } from '@alcove/shared';
import { ApiError } from '../../api/http-client.ts';
import { fetchClientMediaToken, requestMediaToken } from '../../api/join-api.ts';
import { CommandError, sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { EncryptionUnavailableError } from '../../call/call-room.ts';
import type { CallCode } from '../../call/call-code.ts';
import { KeyNotReceivedError, type ClientKeys } from '../../call/client-keys.ts';
import type { ConnectionCheck } from '../../call/connection-check.ts';
import type { LocalPreview } from '../../call/local-preview.ts';
import { formatTime, type MessageParams } from '../../i18n/translate.ts';
import { deviceId } from '../../state/device-id.ts';
import { forgetInvite } from '../../state/invite-store.ts';
import type { JoinFailure, JourneyEffect, JourneyEvent } from '../../state/join-journey.ts';
import { loadJourney, resetJourney, saveJourney } from '../../state/journey-store.ts';
import { keptResources, wipeResources } from '../../state/take-home-store.ts';
import { prepareCall, type CallController, type CallPreferences, type MediaJoin, type PreparedCall } from '../call-screen/call-controller.ts';
import type { PageShell } from '../common/page-shell.ts';
import { checkInView, type CheckInView } from './check-in-view.ts';
import { closedView, SHOWS_RESOURCES } from './closed-view.ts';
import { heldView } from './held-view.ts';
import { noticeView } from './notice-view.ts';
import { waitingRoomView, type WaitingRoomView } from './waiting-room-view.ts';
import { createSealedForms } from './sealed-forms.ts';

export interface JoinPage {
  readonly shell: PageShell;
  readonly socket: AlcoveSocket;
  readonly invite: string;
  readonly preview: LocalPreview;
  /** The pre-call connection check, run once at check-in; its verdict goes to the therapist. */
  readonly connectionCheck: ConnectionCheck;
  dispatch(event: JourneyEvent): void;
  teardown: () => void;
  checkIn: CheckInView | null;
  waiting: WaitingRoomView | null;
  call: CallController | null;
  /** Our key pair for the call and the media keys the therapist's console sealed for us. */
  readonly keys: ClientKeys;
  /** Ours, from check-in: the member id whose keys we take from ourselves. */
  participantId: string | null;
  /** Our session, from check-in: what the token request at admission names. */
  sessionId: string | null;
  /** LiveKit's URL, from check-in: the waiting room warms the way to it. */
  mediaUrl: string | null;
  /** The call made while waiting (Room, E2EE worker, view), taken by the next join. */
  warm: WarmCall | null;
  /** The latest verification code, for a call view opened after it came. */
  code: CallCode | null;
}

/** A call prepared in the waiting room, for the choices it was made with. */
export interface WarmCall {
  readonly prepared: Promise<PreparedCall>;
  /** The person's choices it was made with: a change makes it stale. */
  readonly prefsKey: string;
  /** The join that took it: the call's news is about that join. */
  callId: number;
}

export function show(page: JoinPage, name: string, element: HTMLElement, destroy: () => void = () => undefined): void {
  page.teardown();
  page.teardown = destroy;
  page.checkIn = null;
  page.waiting = null;
  page.shell.show(element, name);
}

function showCheckIn(page: JoinPage) {
  const view = checkInView(page.preview, loadJourney().displayName, (displayName) => page.dispatch({ type: 'check-in-submitted', displayName }), page.connectionCheck);
  show(page, 'check-in', view.root, () => view.destroy());
  page.checkIn = view;
}

function showWaiting(page: JoinPage) {
  // The microphone test stops while waiting; the device check reopens it on demand.
  page.preview.stopMicrophone();
  const forms = createSealedForms(page.socket);
  const view = waitingRoomView(page.preview, loadJourney().displayName ?? '', () => page.dispatch({ type: 'leave-clicked' }), forms.root);
  show(page, 'waiting', view.root, () => {
    forms.destroy();
    view.destroy();
  });
  page.waiting = view;
  // Everything but the key and the connect, now, so being let in is quick.
  warmCall(page);
}

function callPrefs(page: JoinPage): CallPreferences {
  const journey = loadJourney();
  return { cameraOn: page.preview.videoTrack !== null, micOn: journey.micOn, ...journey.devices };
}

/** A call for the choices as they are now: its view, Room and E2EE worker made, the way to LiveKit warmed. Nothing connects. */
function makeCall(page: JoinPage, prefs: CallPreferences): WarmCall {
  const warm: WarmCall = {
    prefsKey: JSON.stringify(prefs),
    callId: 0,
    prepared: prepareCall({
      headingKey: 'call.title',
      prefs,
      mediaUrl: page.mediaUrl,
      mount: (root) => show(page, 'call', root),
      fetchJoin: () => askToRejoin(page),
      // Told to switch to a key we lack: it is on its way from the console (installing it applies the switch).
      fetchKey: () => page.keys.nextKey(),
      onLeave: () => page.dispatch({ type: 'leave-clicked' }),
      onEnded: (reason) => page.dispatch({ type: 'call-ended', callId: warm.callId, reason }),
    }),
  };
  // A browser that cannot encrypt fails here; the join that takes this call reports it.
  warm.prepared.catch(() => undefined);
  return warm;
}

function warmCall(page: JoinPage): void {
  page.keys.stage();
  page.warm ??= makeCall(page, callPrefs(page));
}

function discardWarmCall(page: JoinPage): void {
  const warm = page.warm;
  page.warm = null;
  void warm?.prepared.then((prepared) => prepared.call.close()).catch(() => undefined);
}

/** The warm call if it was made for these choices; otherwise a fresh one (the stale one let go). */
function takeCall(page: JoinPage, prefs: CallPreferences, callId: number): Promise<PreparedCall> {
  if (page.warm?.prefsKey !== JSON.stringify(prefs)) discardWarmCall(page);
  const warm = page.warm ?? makeCall(page, prefs);
  page.warm = null;
  warm.callId = callId;
  return warm.prepared;
}

function close(page: JoinPage, effect: Extract<JourneyEffect, { type: 'close' }>) {
  void endCall(page);
  discardWarmCall(page);
  page.preview.stopAll();
  page.socket.close();
  if (effect.forgetInvite) {
    forgetInvite();
    resetJourney();
  }
  if (effect.markLeft) saveJourney({ checkedIn: false });
  const params: MessageParams = effect.opensAt === null ? {} : { time: formatTime(effect.opensAt) };
  const action = effect.action ? { key: effect.action, run: () => location.reload() } : null;
  const resources = SHOWS_RESOURCES.has(effect.reason) ? keptResources() : [];
  if (resources.length === 0) wipeResources();
  show(page, 'closed', closedView(effect.reason, params, action, resources));
}

async function checkIn(page: JoinPage, displayName: string, fromForm: boolean) {
  page.checkIn?.busy(true);
  page.checkIn?.error(null);
  try {
    const result = await sendCommand(page.socket, COMMANDS.checkIn, { displayName });
    page.participantId = result.participantId;
    page.sessionId = result.sessionId;
    page.mediaUrl = result.mediaUrl;
    page.dispatch({ type: 'checked-in', displayName, state: result.state, lastMessage: result.lastMessage });
  } catch (error) {
    page.dispatch({ type: 'check-in-failed', code: error instanceof CommandError ? error.body.code : 'internal', fromForm });
  }
}

async function endCall(page: JoinPage) {
  const current = page.call;
  page.call = null;
  await current?.close();
}

function failureOf(error: unknown): JoinFailure {
  if (error instanceof EncryptionUnavailableError) return { kind: 'encryption-unavailable' };
  if (error instanceof CommandError) return { kind: 'command', code: error.body.code };
  if (error instanceof ApiError) return { kind: 'api', code: error.code };
  return { kind: 'other' };
}

/**
 * Longer than the console's own wait for every browser (KEY_READY_TIMEOUT_MS) plus the
 * missing-key grace: only a key that never comes, with the therapist in the call, is an alarm.
 */
const KEY_GRACE_MS = MISSING_KEY_GRACE_MS + KEY_READY_TIMEOUT_MS;

/**
 * A token from our server, while our public key is announced (the console seals the media key to
 * it): both at once. At admission the token comes over our socket (`media:request-token`, in its
 * ack); a rejoin, often after the socket itself was lost, asks over HTTP.
 */
async function askForToken(page: JoinPage, via: 'socket' | 'http'): Promise<{ url: string; token: string }> {
  const token = via === 'socket' && page.sessionId ? requestMediaToken(page.socket, page.sessionId) : fetchClientMediaToken(page.invite, deviceId());
  const [{ url, token: jwt }] = await Promise.all([token, page.keys.announce(page.participantId ?? '')]);
  return { url, token: jwt };
}

/** The media key from the therapist's console; admitted before the therapist started the call, nobody can make it yet: say so while we wait. */
function waitForKey(page: JoinPage) {
  page.call?.setWaitingForTherapist(!page.keys.therapistInCall());
  return page.keys.waitForKey(KEY_GRACE_MS);
}

/** Everything a rejoin needs, asked again each time: the pair and the keys stay. */
async function askToRejoin(page: JoinPage): Promise<MediaJoin> {
  const { url, token } = await askForToken(page, 'http');
  return { url, token, key: await waitForKey(page) };
}

/** The call view goes up once (the journey hears of it then). */
function showCall(page: JoinPage, prepared: PreparedCall, callId: number, shown: { done: boolean }): void {
  if (shown.done) return;
  shown.done = true;
  prepared.show();
  page.dispatch({ type: 'call-shown', callId });
}

/**
 * Let in: the token (over our socket) and our key announce go out first, the call made while
 * waiting is taken, the key is set and the connection started; only then is the view put up (and
 * our own camera, the preview's, published once connected).
 */
async function joinCall(page: JoinPage, callId: number) {
  const shown = { done: false };
  try {
    const asked = askForToken(page, 'socket');
    asked.catch(() => undefined);
    const prefs = callPrefs(page);
    const prepared = await takeCall(page, prefs, callId);
    const { call } = prepared;
    page.call = call;
    if (page.code) call.setCode(page.code);
    const camera = prefs.cameraOn ? page.preview.handOverCamera() : null;
    if (camera) call.adoptCamera(camera);
    page.preview.stopAll();
    const { url, token } = await asked;
    // Nobody can make the key before the therapist is in the call: the call shows (and says so) meanwhile.
    if (!page.keys.therapistInCall()) showCall(page, prepared, callId, shown);
    let key: MediaJoin['key'];
    try {
      key = await waitForKey(page);
    } catch (error) {
      // The therapist is in the call and no key came: never a call without one. The alert stays until they leave.
      if (!(error instanceof KeyNotReceivedError)) throw error;
      showCall(page, prepared, callId, shown);
      return call.failEncryption();
    }
    await call.connect({ url, token, key }, () => showCall(page, prepared, callId, shown));
    showCall(page, prepared, callId, shown);
    page.dispatch({ type: 'call-joined', callId });
  } catch (error) {
    page.dispatch({ type: 'call-failed', callId, failure: failureOf(error) });
  }
}

async function sendLeave(page: JoinPage) {
  try {
    await sendCommand(page.socket, COMMANDS.leave, {});
  } catch {
    // leaving anyway; the server drops the place after its grace period
  }
  page.dispatch({ type: 'leave-sent' });
}

/** Runs one effect; resolves when the next one may run. */
export async function perform(page: JoinPage, effect: JourneyEffect): Promise<void> {
  switch (effect.type) {
    case 'show-notice':
      return show(page, 'notice', noticeView(() => page.dispatch({ type: 'notice-read' })));
    case 'show-check-in':
      return showCheckIn(page);
    case 'show-waiting':
      return showWaiting(page);
    case 'show-held':
      page.preview.stopAll();
      return show(page, 'held', heldView(() => page.dispatch({ type: 'leave-clicked' })));
    case 'waiting-status':
      return page.waiting?.setStatus(effect.key);
    case 'waiting-message':
      return page.waiting?.showMessage(effect.message);
    case 'remember':
      return void saveJourney(effect.patch);
    case 'check-in':
      return void checkIn(page, effect.displayName, effect.fromForm);
    case 'check-in-again': {
      const name = loadJourney().displayName;
      return page.socket.connected && name ? checkIn(page, name, false) : undefined;
    }
    case 'check-in-error':
      page.checkIn?.busy(false);
      return page.checkIn?.error(effect.key);
    case 'join-call':
      return void joinCall(page, effect.callId);
    case 'end-call':
      return effect.wait ? endCall(page) : void endCall(page);
    case 'call-reconnecting':
      return page.call?.showReconnecting();
    case 'announce-joined':
      return page.shell.announce('call.joined');
    case 'send-leave':
      return sendLeave(page);
    case 'close':
      return close(page, effect);
    case 'after':
      return void window.setTimeout(() => page.dispatch(effect.event), effect.delayMs);
  }
}
