/**
 * One session in the therapist's console: live presence per participant with
 * admit / send back / mute / talk alone / bring back / remove, who can hear whom, admit all, messages to the waiting room,
 * invitation links, joining the call, a session timer and end for everyone.
 * The people's actions are `participant-actions.ts`, the call is `panel-call.ts`.
 */
import { COMMANDS, type CallMembersFact, type InviteLink, type ParticipantPresence, type SessionSummary } from '@alcove/shared';
import { sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { therapistApi } from '../../api/therapist-api.ts';
import { bindText } from '../../i18n/bind.ts';
import { formatDuration, formatTime, t, type MessageKey, type MessageParams } from '../../i18n/translate.ts';
import { confirmAction } from '../common/confirm-dialog.ts';
import { h } from '../common/dom-builder.ts';
import { keepingFocus } from './focus-keeper.ts';
import { inviteLinksView, type InviteLinksView } from './invite-links.ts';
import { createPanelCall, type PanelCall } from './panel-call.ts';
import { panelErrorKey } from './panel-error.ts';
import { participantActions } from './participant-actions.ts';
import { participantRow, slotLabel, whoLabel, type ParticipantAction, type ParticipantRow } from './participant-row.ts';
import { createSealedInboxView } from './sealed-inbox-view.ts';
import type { SealingKeyPanel } from './sealing-key-panel.ts';
import { setBoundText } from './patch-text.ts';
import { createTakeHomePanel } from './take-home-panel.ts';
import { createWaitingMessageForm } from './waiting-message-form.ts';

export interface SessionPanelDeps {
  socket: AlcoveSocket;
  links: Map<string, InviteLink>;
  announce(key: MessageKey, params?: MessageParams): void;
  onEnded(sessionId: string): void;
  /** The therapist's sealing key, which opens the session's private notes and intake answers. */
  sealing: SealingKeyPanel;
}

export interface SessionPanel {
  readonly root: HTMLElement;
  readonly sessionId: string;
  setSummary(summary: SessionSummary): void;
  setPresence(participants: ParticipantPresence[]): void;
  deviceRefused(participantId: string): void;
  ended(): void;
  /** Who is in the call by public key: the console seals its key to newcomers and rotates when someone leaves. */
  onMembers(fact: CallMembersFact): void;
  /** A private note or intake answers arrived (or the sealing key changed): open them again. */
  sealedArrived(purpose: 'note' | 'intake' | null): void;
  rerender(): void;
  destroy(): void;
}

/** The panel's elements; the parts that change are named. */
function panelLayout(sessionId: string, parts: { callSlot: HTMLElement; messageForm: HTMLElement; resources: HTMLElement; links: HTMLElement; inbox: HTMLElement }) {
  // Focusable from script only: choosing a session moves focus here, as a new screen would.
  const heading = h('h2', { id: 'session-title', attrs: { tabindex: -1 } });
  const timer = h('p', { class: 'session-timer', attrs: { role: 'timer', 'aria-live': 'off' } });
  const notice = h('p', { class: 'panel-notice', attrs: { role: 'status', 'aria-live': 'polite' } });
  // Not a live region: the notice already says it when a hold starts or ends.
  const hearing = h('p', { class: 'hearing-line', attrs: { hidden: true } });
  const people = h('ul', { class: 'participants', attrs: { 'aria-labelledby': 'people-title' } });
  const peopleTitle = h('h3', { id: 'people-title', msg: 'panel.people' });
  const admitAll = h('button', { class: 'button primary', attrs: { type: 'button', 'data-action': 'admit-all' } });
  const endButton = h('button', { class: 'button danger', msg: 'panel.end', attrs: { type: 'button', 'data-action': 'end-session' } });
  const peopleSection = h('section', { attrs: { 'aria-labelledby': 'people-title' } }, h('div', { class: 'section-head' }, peopleTitle, admitAll), hearing, people);
  const root = h(
    'section',
    { class: 'session-panel', attrs: { 'aria-labelledby': 'session-title', 'data-session-id': sessionId } },
    h('div', { class: 'session-head' }, heading, timer),
    notice,
    h('div', { class: 'session-body' },
      parts.callSlot,
      h('div', { class: 'session-manage' },
        peopleSection,
        parts.inbox,
        parts.resources,
        parts.messageForm,
        parts.links,
        h('div', { class: 'button-row end-row' }, endButton))),
  );
  return { root, heading, timer, notice, hearing, people, peopleTitle, peopleSection, admitAll, endButton };
}

/** Patches the rows in place, in slot order: a row (and focus on its buttons) lives as long as its participant. */
function patchRows(
  people: HTMLElement,
  rows: Map<string, ParticipantRow>,
  participants: ParticipantPresence[],
  makeRow: (p: ParticipantPresence) => ParticipantRow,
  contextOf: (p: ParticipantPresence) => { canTalkAlone: boolean },
) {
  const ids = new Set(participants.map((p) => p.participantId));
  for (const [id, row] of rows) {
    if (ids.has(id)) continue;
    row.root.remove();
    rows.delete(id);
  }
  participants.forEach((p, i) => {
    let row = rows.get(p.participantId);
    if (!row) {
      row = makeRow(p);
      rows.set(p.participantId, row);
    }
    row.update(p, contextOf(p));
    const there = people.children[i] ?? null;
    if (there !== row.root) people.insertBefore(row.root, there);
  });
}

interface PanelState {
  summary: SessionSummary;
  /** In slot order. */
  participants: ParticipantPresence[];
  isEnded: boolean;
}

/** What a render patches. */
interface PanelParts {
  readonly ui: ReturnType<typeof panelLayout>;
  readonly links: InviteLinksView;
  readonly call: PanelCall;
  readonly rows: Map<string, ParticipantRow>;
  readonly act: (action: ParticipantAction, p: ParticipantPresence) => void;
  readonly deps: SessionPanelDeps;
}

function renderTimer(timer: HTMLElement, { isEnded, summary }: PanelState) {
  if (isEnded) return bindText(timer, 'panel.ended');
  if (!summary.startedAt) return bindText(timer, 'panel.notStarted', { minutes: summary.durationMinutes });
  bindText(timer, 'panel.timer', { elapsed: formatDuration(Date.now() - summary.startedAt), minutes: summary.durationMinutes });
}

/**
 * Time alone with one partner: offered per partner in a couple's call the therapist is in, while
 * both partners are in it and nobody is held; while one is held, the line says who hears whom.
 */
function renderHold(parts: PanelParts, state: PanelState): (p: ParticipantPresence) => { canTalkAlone: boolean } {
  const { summary, participants, isEnded } = state;
  const inCall = participants.filter((p) => p.state === 'in-call');
  const held = participants.find((p) => p.state === 'held');
  const isCouple = summary.kind === 'couple' && !isEnded;
  const hearing = parts.ui.hearing;
  hearing.hidden = !isCouple || !held;
  if (isCouple && held) {
    const others = inCall.map((p) => whoLabel(summary.kind, p));
    setBoundText(hearing, 'panel.hearing', { with: others.join(', '), held: whoLabel(summary.kind, held) });
  }
  const offered = isCouple && parts.call.isInCall() && !held && inCall.length >= 2;
  return (p) => ({ canTalkAlone: offered && p.state === 'in-call' });
}

function renderNow(parts: PanelParts, state: PanelState) {
  const { ui, links, call } = parts;
  const { summary, participants, isEnded } = state;
  setBoundText(ui.heading, summary.kind === 'couple' ? 'panel.titleCouple' : 'panel.titleIndividual', { time: formatTime(summary.startsAt) });
  patchRows(ui.people, parts.rows, participants, (p) => participantRow(summary.kind, p, parts.act), renderHold(parts, state));
  const waiting = participants.filter((p) => p.state === 'waiting').length;
  setBoundText(ui.admitAll, 'panel.admitAll', { count: waiting });
  ui.admitAll.hidden = summary.kind !== 'couple' || waiting === 0;
  links.render(participants.map((p) => ({ participantId: p.participantId, slot: p.slot, removed: p.state === 'removed' })), parts.deps.links);
  call.joinButton.hidden = call.isInCall() || isEnded;
  ui.endButton.disabled = isEnded;
  renderTimer(ui.timer, state);
}

/**
 * Presence updates arrive while the therapist works the panel with the keyboard: everything
 * is patched in place, and focus moves only when its own control is gone (see focus-keeper.ts).
 */
function render(parts: PanelParts, state: PanelState) {
  const { ui, links } = parts;
  const regions = [
    { root: ui.peopleSection, heading: ui.peopleTitle },
    { root: links.root, heading: links.root.querySelector<HTMLElement>('h3') ?? ui.heading },
    { root: ui.root, heading: ui.heading },
  ];
  keepingFocus(regions, parts.deps.announce, () => renderNow(parts, state));
}

function onEndClicked(deps: SessionPanelDeps, sessionId: string, say: (key: MessageKey) => void, markEnded: () => Promise<void>) {
  return async () => {
    const sure = await confirmAction({ title: 'confirm.end.title', body: 'confirm.end.body', confirm: 'confirm.end.confirm' });
    if (!sure) return;
    try {
      await sendCommand(deps.socket, COMMANDS.endSession, { sessionId });
      await markEnded();
    } catch (error) {
      say(panelErrorKey(error));
    }
  };
}

export function createSessionPanel(initial: SessionSummary, deps: SessionPanelDeps): SessionPanel {
  const sessionId = initial.sessionId;
  const state: PanelState = { summary: initial, participants: [], isEnded: false };
  const say = (key: MessageKey, params?: MessageParams) => {
    bindText(parts.ui.notice, key, params);
    deps.announce(key, params);
  };
  const rerender = () => render(parts, state);
  async function markEnded() {
    if (state.isEnded) return;
    state.isEnded = true;
    takeHome.ended();
    await call.leave();
    say('panel.endedNotice');
    deps.onEnded(sessionId);
  }
  const actions = participantActions({
    socket: deps.socket,
    sessionId,
    links: deps.links,
    kind: () => state.summary.kind,
    participants: () => state.participants,
    say,
    render: rerender,
  });
  const call = createPanelCall({
    socket: deps.socket,
    sessionId,
    say,
    isEnded: () => state.isEnded,
    onJoined: () => {
      state.summary = { ...state.summary, status: 'live', startedAt: state.summary.startedAt ?? Date.now() };
      rerender();
    },
    onLeft: rerender,
    resources: () => takeHome.list(),
    onSessionEnded: () => void markEnded(),
  });
  const takeHome = createTakeHomePanel(() => call.shareResources());
  const links = inviteLinksView(initial.kind, (id) => void actions.reissue(id));
  const messageForm = createWaitingMessageForm((text) => sendCommand(deps.socket, COMMANDS.postMessage, { sessionId, text }).then(() => undefined));
  const inbox = createSealedInboxView({
    socket: deps.socket,
    attachIntake: (intake) => therapistApi.attachIntake(sessionId, intake),
    sessionId,
    startsAt: initial.startsAt,
    pair: () => deps.sealing.pair(),
    nameOf: (participantId) => {
      const p = state.participants.find((x) => x.participantId === participantId);
      return p ? { label: whoLabel(state.summary.kind, p), slot: p.slot } : { label: '', slot: 99 };
    },
    say,
  });
  const ui = panelLayout(sessionId, { callSlot: call.slot, messageForm: messageForm.root, resources: takeHome.root, links: links.root, inbox: inbox.root });
  const parts: PanelParts = { ui, links, call, rows: new Map(), act: (action, p) => void actions.act(action, p), deps };
  ui.admitAll.addEventListener('click', () => void actions.admitAll());
  ui.endButton.addEventListener('click', onEndClicked(deps, sessionId, say, markEnded));
  const tick = window.setInterval(() => renderTimer(ui.timer, state), 1000);
  rerender();
  void inbox.refresh();
  return {
    root: ui.root,
    sessionId,
    setSummary(next) {
      state.summary = next;
      rerender();
    },
    setPresence(next) {
      const hadNames = state.participants.map((p) => p.displayName).join('|');
      state.participants = [...next].sort((a, b) => a.slot - b.slot);
      rerender();
      // Names label the notes: open them again when someone's name first shows.
      if (state.participants.map((p) => p.displayName).join('|') !== hadNames) void inbox.refresh();
    },
    deviceRefused(participantId) {
      const p = state.participants.find((x) => x.participantId === participantId);
      if (!p) return;
      const label = slotLabel(state.summary.kind, p.slot);
      say('panel.deviceRefused', { who: t(label.key, label.params) });
    },
    ended: () => void markEnded(),
    onMembers: (fact) => call.onMembers(fact),
    sealedArrived(purpose) {
      if (purpose) say(purpose === 'note' ? 'inbox.noteArrived' : 'inbox.answersArrived');
      void inbox.refresh();
    },
    rerender() {
      rerender();
      void inbox.refresh();
    },
    destroy() {
      window.clearInterval(tick);
      void call.leave();
    },
  };
}
