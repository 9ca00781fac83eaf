/**
 * One session in the therapist's console: live presence per participant with
 * admit / send back / mute / remove, admit all, messages to the waiting room,
 * invitation links, joining the call, a session timer and end for everyone.
 */
import { COMMANDS, type E2eeKeyFact, type InviteLink, type ParticipantPresence, type SessionSummary } from '@alcove/shared';
import { ApiError } from '../../api/http-client.ts';
import { CommandError, sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { therapistApi } from '../../api/therapist-api.ts';
import type { CallRoom } from '../../call/call-room.ts';
import { bindText } from '../../i18n/bind.ts';
import { formatDuration, formatTime, t, type MessageKey, type MessageParams } from '../../i18n/translate.ts';
import { createCallView, type CallView } from '../call/call-view.ts';
import { confirmAction } from '../common/confirm-dialog.ts';
import { h } from '../common/dom-builder.ts';
import { keepingFocus } from './focus-keeper.ts';
import { inviteLinksView } from './invite-links.ts';
import { participantRow, slotLabel, whoLabel, type ParticipantAction, type ParticipantRow } from './participant-row.ts';
import { setBoundText } from './patch-text.ts';
import { createWaitingMessageForm } from './waiting-message-form.ts';

export interface SessionPanelDeps {
  socket: AlcoveSocket;
  links: Map<string, InviteLink>;
  announce(key: MessageKey, params?: MessageParams): void;
  onEnded(sessionId: string): void;
}

export interface SessionPanel {
  readonly root: HTMLElement;
  readonly sessionId: string;
  setSummary(summary: SessionSummary): void;
  setPresence(participants: ParticipantPresence[]): void;
  deviceRefused(participantId: string): void;
  ended(): void;
  /** Someone was removed: hold the new key beside the old one; resolves once it is in (at once when not in the call). */
  installKey(key: E2eeKeyFact): Promise<void>;
  /** Everyone holds the new key: encrypt with it. */
  activateKey(keyIndex: number): void;
  rerender(): void;
  destroy(): void;
}

const CALL_CHUNK = () => import('../../call/media-reconnect.ts');
/** Well inside the server's idle logout (15 min by default). */
const KEEP_ALIVE_MS = 60_000;

export function createSessionPanel(initial: SessionSummary, deps: SessionPanelDeps): SessionPanel {
  let summary = initial;
  let participants: ParticipantPresence[] = [];
  let call: { room: CallRoom; view: CallView } | null = null;
  let isEnded = false;
  let keepAlive = 0;
  const sessionId = initial.sessionId;

  // Focusable from script only: choosing a session moves focus here, as a new screen would.
  const heading = h('h2', { id: 'session-title', attrs: { tabindex: -1 } });
  const timer = h('p', { class: 'session-timer', attrs: { role: 'timer', 'aria-live': 'off' } });
  const notice = h('p', { class: 'panel-notice', attrs: { role: 'status', 'aria-live': 'polite' } });
  const people = h('ul', { class: 'participants', attrs: { 'aria-labelledby': 'people-title' } });
  const rows = new Map<string, ParticipantRow>();
  const peopleTitle = h('h3', { id: 'people-title', msg: 'panel.people' });
  const links = inviteLinksView(initial.kind, (id) => void reissue(id));
  const admitAll = h('button', { class: 'button primary', attrs: { type: 'button', 'data-action': 'admit-all' } });
  const joinButton = h('button', { class: 'button primary', msg: 'panel.joinCall', attrs: { type: 'button', 'data-action': 'join-call' } });
  const endButton = h('button', { class: 'button danger', msg: 'panel.end', attrs: { type: 'button', 'data-action': 'end-session' } });
  const callSlot = h('div', { class: 'call-slot' }, h('div', { class: 'call-placeholder' }, h('p', { msg: 'panel.notInCall' }), joinButton));
  const messageForm = createWaitingMessageForm(async (text) => {
    await sendCommand(deps.socket, COMMANDS.postMessage, { sessionId, text });
  });

  const peopleSection = h('section', { attrs: { 'aria-labelledby': 'people-title' } }, h('div', { class: 'section-head' }, peopleTitle, admitAll), people);
  const root = h(
    'section',
    { class: 'session-panel', attrs: { 'aria-labelledby': 'session-title', 'data-session-id': sessionId } },
    h('div', { class: 'session-head' }, heading, timer),
    notice,
    h('div', { class: 'session-body' },
      callSlot,
      h('div', { class: 'session-manage' },
        peopleSection,
        messageForm.root,
        links.root,
        h('div', { class: 'button-row end-row' }, endButton))),
  );

  const say = (key: MessageKey, params?: MessageParams) => {
    bindText(notice, key, params);
    deps.announce(key, params);
  };
  const errorKey = (error: unknown): MessageKey => {
    const code = error instanceof CommandError ? error.body.code : error instanceof ApiError ? error.code : 'internal';
    if (code === 'conflict') return 'panel.error.conflict';
    if (code === 'session_ended') return 'panel.error.ended';
    if (code === 'timeout' || code === 'network') return 'panel.error.network';
    if (code === 'service_unavailable') {
      const details = error instanceof CommandError && 'details' in error.body ? error.body.details : error instanceof ApiError ? error.details : undefined;
      return details?.service === 'media' ? 'panel.error.mediaUnavailable' : 'panel.error.unavailable';
    }
    return 'panel.error.generic';
  };

  /**
   * Presence updates arrive while the therapist works the panel with the keyboard: everything
   * is patched in place, and focus moves only when its own control is gone (see focus-keeper.ts).
   */
  function render() {
    keepingFocus(
      [
        { root: peopleSection, heading: peopleTitle },
        { root: links.root, heading: links.root.querySelector('h3') ?? heading },
        { root, heading },
      ],
      deps.announce,
      renderNow,
    );
  }

  function renderNow() {
    setBoundText(heading, summary.kind === 'couple' ? 'panel.titleCouple' : 'panel.titleIndividual', { time: formatTime(summary.startsAt) });
    const ids = new Set(participants.map((p) => p.participantId));
    for (const [id, row] of rows) {
      if (ids.has(id)) continue;
      row.root.remove();
      rows.delete(id);
    }
    participants.forEach((p, i) => {
      let row = rows.get(p.participantId);
      if (row) row.update(p);
      else {
        row = participantRow(summary.kind, p, (action, latest) => void act(action, latest));
        rows.set(p.participantId, row);
      }
      const there = people.children[i] ?? null;
      if (there !== row.root) people.insertBefore(row.root, there);
    });
    const waiting = participants.filter((p) => p.state === 'waiting').length;
    setBoundText(admitAll, 'panel.admitAll', { count: waiting });
    admitAll.hidden = summary.kind !== 'couple' || waiting === 0;
    links.render(participants.map((p) => ({ participantId: p.participantId, slot: p.slot, removed: p.state === 'removed' })), deps.links);
    joinButton.hidden = call !== null || isEnded;
    endButton.disabled = isEnded;
    renderTimer();
  }

  function renderTimer() {
    if (isEnded) return bindText(timer, 'panel.ended');
    if (!summary.startedAt) return bindText(timer, 'panel.notStarted', { minutes: summary.durationMinutes });
    bindText(timer, 'panel.timer', { elapsed: formatDuration(Date.now() - summary.startedAt), minutes: summary.durationMinutes });
  }
  const tick = window.setInterval(renderTimer, 1000);

  async function act(action: ParticipantAction, p: ParticipantPresence) {
    const who = whoLabel(summary.kind, p);
    try {
      if (action === 'admit') await sendCommand(deps.socket, COMMANDS.admit, { sessionId, participantId: p.participantId });
      if (action === 'send-back') await sendCommand(deps.socket, COMMANDS.sendBack, { sessionId, participantId: p.participantId });
      if (action === 'mute') {
        const result = await sendCommand(deps.socket, COMMANDS.mute, { sessionId, participantId: p.participantId });
        say(result.mutedTracks > 0 ? 'panel.muted' : 'panel.alreadyMuted', { who });
      }
      if (action === 'remove') {
        const sure = await confirmAction({ title: 'confirm.remove.title', body: 'confirm.remove.body', confirm: 'confirm.remove.confirm', params: { who } });
        if (!sure) return;
        await sendCommand(deps.socket, COMMANDS.remove, { sessionId, participantId: p.participantId });
        deps.links.delete(p.participantId);
        say('panel.removed', { who });
      }
    } catch (error) {
      say(errorKey(error));
    }
  }

  async function reissue(participantId: string) {
    try {
      const link = await therapistApi.reissueInvite(sessionId, participantId);
      deps.links.set(participantId, link);
      render();
      say('links.reissued');
    } catch (error) {
      say(errorKey(error));
    }
  }

  admitAll.addEventListener('click', async () => {
    try {
      await sendCommand(deps.socket, COMMANDS.admitAll, { sessionId });
    } catch (error) {
      say(errorKey(error));
    }
  });

  joinButton.addEventListener('click', async () => {
    joinButton.disabled = true;
    try {
      const [token, { createRejoiningCall }] = await Promise.all([therapistApi.startSession(sessionId), CALL_CHUNK()]);
      const key = await sendCommand(deps.socket, COMMANDS.getSessionKey, { sessionId });
      const view = createCallView({ headingKey: 'call.titleTherapist', onLeave: () => void leaveCall() });
      callSlot.replaceChildren(view.root);
      const room = createRejoiningCall({
        prefs: { cameraOn: false, micOn: true, audioInput: null, videoInput: null, audioOutput: null },
        audioSink: view.audioSink,
        callbacks: {
          onPeersChanged: (peers) => view.renderPeers(peers),
          onConnection: (state) => view.setConnection(state),
          onAudioBlocked: (blocked) => view.setAudioBlocked(blocked),
          onEnded: (reason) => {
            if (reason === 'ended') void markEnded();
            else if (reason !== 'left') void leaveCall('panel.callDropped');
          },
          onEncryption: (encryption) => view.setEncryption(encryption),
        },
        // Starting again is idempotent and recreates a room a restarted LiveKit forgot.
        fetchJoin: async () => {
          const fresh = await therapistApi.startSession(sessionId);
          const currentKey = await sendCommand(deps.socket, COMMANDS.getSessionKey, { sessionId });
          return { url: fresh.url, token: fresh.token, key: currentKey };
        },
        fetchKey: () => sendCommand(deps.socket, COMMANDS.getSessionKey, { sessionId }),
      });
      call = { room, view };
      view.bind(room);
      await room.connect(token.url, token.token, key);
      // Being in a call is activity: keep the login from idling out while talking.
      keepAlive = window.setInterval(() => void sendCommand(deps.socket, COMMANDS.keepAlive, {}).catch(() => undefined), KEEP_ALIVE_MS);
      summary = { ...summary, status: 'live', startedAt: summary.startedAt ?? Date.now() };
      render();
    } catch (error) {
      await leaveCall();
      say(errorKey(error));
    } finally {
      joinButton.disabled = false;
    }
  });

  async function leaveCall(reasonKey?: MessageKey) {
    window.clearInterval(keepAlive);
    const current = call;
    call = null;
    if (current) {
      current.view.destroy();
      await current.room.leave().catch(() => undefined);
    }
    callSlot.replaceChildren(h('div', { class: 'call-placeholder' }, h('p', { msg: isEnded ? 'panel.ended' : 'panel.notInCall' }), joinButton));
    if (reasonKey) say(reasonKey);
    render();
  }

  async function markEnded() {
    if (isEnded) return;
    isEnded = true;
    await leaveCall();
    say('panel.endedNotice');
    deps.onEnded(sessionId);
  }

  endButton.addEventListener('click', async () => {
    const sure = await confirmAction({ title: 'confirm.end.title', body: 'confirm.end.body', confirm: 'confirm.end.confirm' });
    if (!sure) return;
    try {
      await sendCommand(deps.socket, COMMANDS.endSession, { sessionId });
      await markEnded();
    } catch (error) {
      say(errorKey(error));
    }
  });

  render();
  return {
    root,
    sessionId,
    setSummary(next) {
      summary = next;
      render();
    },
    setPresence(next) {
      participants = [...next].sort((a, b) => a.slot - b.slot);
      render();
    },
    deviceRefused(participantId) {
      const p = participants.find((x) => x.participantId === participantId);
      if (!p) return;
      const label = slotLabel(summary.kind, p.slot);
      say('panel.deviceRefused', { who: t(label.key, label.params) });
    },
    ended: () => void markEnded(),
    installKey: async (key) => call?.room.installKey(key),
    activateKey: (keyIndex) => call?.room.activateKey(keyIndex),
    rerender: render,
    destroy() {
      window.clearInterval(tick);
      void leaveCall();
    },
  };
}
