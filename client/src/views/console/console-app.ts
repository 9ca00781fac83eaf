/**
 * The therapist's console: sign in, sessions of today and later, create a
 * session and copy its links, and run one session at a time (presence,
 * admission, the call). Arrivals alert with sound, notification and title.
 */
import { COMMANDS, FACTS, type InviteLink, type ParticipantPresence, type SessionSummary, type TherapistProfile } from '@alcove/shared';
import { ApiError } from '../../api/http-client.ts';
import { connectAsTherapist, sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { therapistApi } from '../../api/therapist-api.ts';
import { bindText } from '../../i18n/bind.ts';
import { onLocaleChange, type MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { createPageShell, type PageShell } from '../common/page-shell.ts';
import { createArrivalAlert, type ArrivalAlert } from './arrival-alert.ts';
import { createSecurityDialog } from './security-dialog.ts';
import { createSessionForm } from './create-session-form.ts';
import { loginView } from './login-view.ts';
import { createSessionPanel, type SessionPanel } from './session-panel.ts';
import { createSealingKeyPanel, type SealingKeyPanel } from './sealing-key-panel.ts';
import { sessionListView, type SessionListView } from './session-list-view.ts';

/** Someone "arrives" when they enter the waiting room from outside it, not when they come back from a blip. */
const ARRIVING_FROM = new Set<ParticipantPresence['state'] | undefined>([undefined, 'invited', 'left']);

export function startConsoleApp(mount: HTMLElement): void {
  const shell = createPageShell(mount, 'brand.console');
  const alert = createArrivalAlert();
  void therapistApi
    .me()
    .then((me) => showDashboard(shell, me.therapist, alert))
    .catch(() => showLogin(shell, alert, null));
}

function showLogin(shell: PageShell, alert: ArrivalAlert, notice: MessageKey | null): void {
  shell.headerSlot.replaceChildren();
  const view = loginView(notice, async (email, password, second) => {
    view.busy(true);
    view.error(null);
    try {
      const result = await therapistApi.login(email, password, second ?? undefined);
      showDashboard(shell, result.therapist, alert);
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 'internal';
      if (code === 'totp_required') {
        view.askForCode();
        view.error('login.codeNeeded');
      } else {
        view.error(code === 'rate_limited' ? 'login.rateLimited' : code === 'unauthorized' || code === 'bad_request' ? (second ? 'login.wrongCode' : 'login.wrong') : 'login.failed');
      }
      view.busy(false);
    }
  });
  shell.show(view.root, 'login');
}

/** Header: who is signed in, desktop alerts, two-factor authentication, sign out. */
function showHeader(shell: PageShell, therapist: TherapistProfile, alert: ArrivalAlert, socket: AlcoveSocket): void {
  const notifyButton = h('button', { class: 'button small', msg: 'console.enableAlerts', attrs: { type: 'button', hidden: !alert.canAskForNotifications() } });
  notifyButton.addEventListener('click', async () => {
    await alert.askForNotifications();
    notifyButton.hidden = !alert.canAskForNotifications();
  });
  const signOut = h('button', { class: 'button small', msg: 'console.signOut', attrs: { type: 'button' } });
  signOut.addEventListener('click', async () => {
    await therapistApi.logout().catch(() => undefined);
    socket.close();
    location.assign('/console');
  });
  const security = createSecurityDialog(therapist.twoFactorEnabled);
  shell.headerSlot.replaceChildren(
    h('span', { class: 'signed-in', msg: 'console.signedInAs', params: { name: therapist.displayName } }),
    notifyButton,
    security.button,
    signOut,
    security.dialog,
  );
}

/** The console's sessions, their presence and the one session shown. */
interface Dashboard {
  readonly shell: PageShell;
  readonly alert: ArrivalAlert;
  readonly socket: AlcoveSocket;
  readonly presence: Map<string, Map<string, ParticipantPresence>>;
  readonly links: Map<string, InviteLink>;
  sessions: SessionSummary[];
  selected: SessionPanel | null;
  readonly list: SessionListView;
  readonly detail: HTMLElement;
  readonly sealing: SealingKeyPanel;
}

function renderList(d: Dashboard) {
  const counts = new Map<string, number>();
  for (const [sessionId, people] of d.presence) counts.set(sessionId, [...people.values()].filter((p) => p.state === 'waiting').length);
  d.list.render(d.sessions, counts, d.selected?.sessionId ?? null);
  d.alert.setWaitingCount([...counts.values()].reduce((a, b) => a + b, 0));
}

async function refreshSessions(d: Dashboard) {
  try {
    d.sessions = (await therapistApi.listSessions()).sessions;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthorized') return location.assign('/console');
  }
  renderList(d);
  const current = d.sessions.find((s) => s.sessionId === d.selected?.sessionId);
  if (current) d.selected?.setSummary(current);
  await Promise.all(d.sessions.map((s) => watch(d, s.sessionId)));
}

async function watch(d: Dashboard, sessionId: string) {
  try {
    const result = await sendCommand(d.socket, COMMANDS.watchSession, { sessionId });
    d.presence.set(sessionId, new Map(result.participants.map((p) => [p.participantId, p])));
    if (d.selected?.sessionId === sessionId) d.selected.setPresence(result.participants);
    renderList(d);
  } catch {
    // the session may have ended meanwhile; the list refresh drops it
  }
}

function dropSession(d: Dashboard, sessionId: string) {
  d.sessions = d.sessions.filter((s) => s.sessionId !== sessionId);
  d.presence.delete(sessionId);
  renderList(d);
}

function select(d: Dashboard, sessionId: string) {
  const summary = d.sessions.find((s) => s.sessionId === sessionId);
  if (!summary) return;
  if (d.selected?.sessionId === sessionId) return;
  d.selected?.destroy();
  d.selected = createSessionPanel(summary, {
    socket: d.socket,
    links: d.links,
    announce: (key, params) => d.shell.announce(key, params),
    onEnded: (id) => dropSession(d, id),
    sealing: d.sealing,
  });
  d.selected.setPresence([...(d.presence.get(sessionId)?.values() ?? [])]);
  d.detail.replaceChildren(d.selected.root);
  renderList(d);
  d.selected.root.querySelector<HTMLElement>('h2')?.focus();
}

function createForm(d: Dashboard) {
  const form = createSessionForm(async (body) => {
    form.busy(true);
    form.error(null);
    try {
      const created = await therapistApi.createSession(body);
      for (const invite of created.invites) d.links.set(invite.participantId, invite);
      await refreshSessions(d);
      select(d, created.session.sessionId);
      d.shell.announce('create.created');
    } catch {
      form.error('create.failed');
    } finally {
      form.busy(false);
    }
  });
  d.sealing.onChange(() => form.setSealing(d.sealing.isSetUp()));
  return form;
}

function onPresence(d: Dashboard, { sessionId, participant }: { sessionId: string; participant: ParticipantPresence }) {
  let people = d.presence.get(sessionId);
  if (!people) {
    people = new Map();
    d.presence.set(sessionId, people);
    void refreshSessions(d);
  }
  const before = people.get(participant.participantId)?.state;
  people.set(participant.participantId, participant);
  if (participant.state === 'waiting' && ARRIVING_FROM.has(before)) {
    d.alert.arrived();
    d.shell.announce('console.arrived');
  }
  if (d.selected?.sessionId === sessionId) d.selected.setPresence([...people.values()]);
  renderList(d);
  // Admitting starts a session: pick up its new status and start time.
  if (participant.state === 'admitted' && d.sessions.find((s) => s.sessionId === sessionId)?.status !== 'live') void refreshSessions(d);
}

function listenToConnection(d: Dashboard, connection: HTMLElement) {
  const showReconnecting = () => {
    connection.hidden = false;
    bindText(connection, 'console.reconnecting');
  };
  d.socket.on('connect', () => {
    connection.hidden = true;
    void refreshSessions(d);
  });
  d.socket.on('disconnect', showReconnecting);
  d.socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
    if (error.data?.code === 'unauthorized') return location.assign('/console');
    showReconnecting();
  });
  d.socket.on(FACTS.loginExpired, () => {
    d.selected?.destroy();
    d.socket.close();
    showLogin(d.shell, d.alert, 'login.expired');
  });
}

/** Facts about sessions; the call's members and the device news go to the session shown, if it is theirs. */
function listenToSessions(d: Dashboard) {
  const shown = (sessionId: string) => (d.selected?.sessionId === sessionId ? d.selected : null);
  d.socket.on(FACTS.presenceUpdated, (fact) => onPresence(d, fact));
  d.socket.on(FACTS.members, (fact) => shown(fact.sessionId)?.onMembers(fact));
  d.socket.on(FACTS.deviceRefused, ({ sessionId, participantId }) => shown(sessionId)?.deviceRefused(participantId));
  d.socket.on(FACTS.privateNoteReceived, ({ sessionId }) => shown(sessionId)?.sealedArrived('note'));
  d.socket.on(FACTS.intakeSubmitted, ({ sessionId }) => shown(sessionId)?.sealedArrived('intake'));
  d.sealing.onChange(() => d.selected?.sealedArrived(null));
  d.socket.on(FACTS.sessionEnded, ({ sessionId }) => {
    shown(sessionId)?.ended();
    dropSession(d, sessionId);
  });
}

function showDashboard(shell: PageShell, therapist: TherapistProfile, alert: ArrivalAlert): void {
  const socket: AlcoveSocket = connectAsTherapist();
  showHeader(shell, therapist, alert, socket);
  const detail = h('div', { class: 'detail' }, h('section', { class: 'panel empty-detail' }, h('h2', { msg: 'console.pickSession' }), h('p', { class: 'hint', msg: 'console.pickSessionHint' })));
  const d: Dashboard = {
    shell,
    alert,
    socket,
    presence: new Map(),
    links: new Map(),
    sessions: [],
    selected: null,
    list: sessionListView((id) => select(d, id), (key, params) => shell.announce(key, params)),
    detail,
    sealing: createSealingKeyPanel(therapist.therapistId),
  };
  const connection = h('p', { class: 'connection-note', attrs: { role: 'status', hidden: true } });
  const screen = h('div', { class: 'console' },
    h('h1', { class: 'visually-hidden', msg: 'console.title' }),
    connection,
    h('div', { class: 'console-grid' }, h('div', { class: 'console-side' }, d.list.root, createForm(d).root, d.sealing.root), detail));
  shell.show(screen, 'console');
  listenToConnection(d, connection);
  listenToSessions(d);
  onLocaleChange(() => {
    renderList(d);
    d.selected?.rerender();
  });
}
