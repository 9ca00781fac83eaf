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
import { sessionListView } from './session-list-view.ts';

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

function showDashboard(shell: PageShell, therapist: TherapistProfile, alert: ArrivalAlert): void {
  const socket: AlcoveSocket = connectAsTherapist();
  const presence = new Map<string, Map<string, ParticipantPresence>>();
  const links = new Map<string, InviteLink>();
  let sessions: SessionSummary[] = [];
  let selected: SessionPanel | null = null;

  // Header: who is signed in, desktop alerts, sign out.
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

  const connection = h('p', { class: 'connection-note', attrs: { role: 'status', hidden: true } });
  const list = sessionListView((id) => select(id), (key, params) => shell.announce(key, params));
  const form = createSessionForm(async (body) => {
    form.busy(true);
    form.error(null);
    try {
      const created = await therapistApi.createSession(body);
      for (const invite of created.invites) links.set(invite.participantId, invite);
      await refreshSessions();
      select(created.session.sessionId);
      shell.announce('create.created');
    } catch {
      form.error('create.failed');
    } finally {
      form.busy(false);
    }
  });
  const detail = h('div', { class: 'detail' }, h('section', { class: 'panel empty-detail' }, h('h2', { msg: 'console.pickSession' }), h('p', { class: 'hint', msg: 'console.pickSessionHint' })));
  const screen = h('div', { class: 'console' },
    h('h1', { class: 'visually-hidden', msg: 'console.title' }),
    connection,
    h('div', { class: 'console-grid' }, h('div', { class: 'console-side' }, list.root, form.root), detail));
  shell.show(screen, 'console');

  const waitingCounts = () => {
    const counts = new Map<string, number>();
    for (const [sessionId, people] of presence) counts.set(sessionId, [...people.values()].filter((p) => p.state === 'waiting').length);
    return counts;
  };
  const renderList = () => {
    const counts = waitingCounts();
    list.render(sessions, counts, selected?.sessionId ?? null);
    alert.setWaitingCount([...counts.values()].reduce((a, b) => a + b, 0));
  };

  async function refreshSessions() {
    try {
      sessions = (await therapistApi.listSessions()).sessions;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'unauthorized') return location.assign('/console');
    }
    renderList();
    const current = sessions.find((s) => s.sessionId === selected?.sessionId);
    if (current) selected?.setSummary(current);
    await Promise.all(sessions.map((s) => watch(s.sessionId)));
  }

  async function watch(sessionId: string) {
    try {
      const result = await sendCommand(socket, COMMANDS.watchSession, { sessionId });
      presence.set(sessionId, new Map(result.participants.map((p) => [p.participantId, p])));
      if (selected?.sessionId === sessionId) selected.setPresence(result.participants);
      renderList();
    } catch {
      // the session may have ended meanwhile; the list refresh drops it
    }
  }

  function select(sessionId: string) {
    const summary = sessions.find((s) => s.sessionId === sessionId);
    if (!summary) return;
    if (selected?.sessionId === sessionId) return;
    selected?.destroy();
    selected = createSessionPanel(summary, {
      socket,
      links,
      announce: (key, params) => shell.announce(key, params),
      onEnded: (id) => {
        sessions = sessions.filter((s) => s.sessionId !== id);
        presence.delete(id);
        renderList();
      },
    });
    selected.setPresence([...(presence.get(sessionId)?.values() ?? [])]);
    detail.replaceChildren(selected.root);
    renderList();
    selected.root.querySelector<HTMLElement>('h2')?.focus();
  }

  socket.on('connect', () => {
    connection.hidden = true;
    void refreshSessions();
  });
  socket.on('disconnect', () => {
    connection.hidden = false;
    bindText(connection, 'console.reconnecting');
  });
  socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
    if (error.data?.code === 'unauthorized') return location.assign('/console');
    connection.hidden = false;
    bindText(connection, 'console.reconnecting');
  });
  socket.on(FACTS.loginExpired, () => {
    selected?.destroy();
    socket.close();
    showLogin(shell, alert, 'login.expired');
  });
  socket.on(FACTS.presenceUpdated, ({ sessionId, participant }) => {
    let people = presence.get(sessionId);
    if (!people) {
      people = new Map();
      presence.set(sessionId, people);
      void refreshSessions();
    }
    const before = people.get(participant.participantId)?.state;
    people.set(participant.participantId, participant);
    if (participant.state === 'waiting' && ARRIVING_FROM.has(before)) {
      alert.arrived();
      shell.announce('console.arrived');
    }
    if (selected?.sessionId === sessionId) selected.setPresence([...people.values()]);
    renderList();
    // Admitting starts a session: pick up its new status and start time.
    if (participant.state === 'admitted' && sessions.find((s) => s.sessionId === sessionId)?.status !== 'live') void refreshSessions();
  });
  // The answer tells the server this console holds the key (or has no call of that session to put it in).
  socket.on(FACTS.keyRotated, (key, ready) => {
    const installing = selected?.sessionId === key.sessionId ? selected.installKey(key) : Promise.resolve();
    void installing.then(() => ready({ keyIndex: key.keyIndex }));
  });
  socket.on(FACTS.keyActivated, ({ sessionId, keyIndex }) => {
    if (selected?.sessionId === sessionId) selected.activateKey(keyIndex);
  });
  socket.on(FACTS.deviceRefused, ({ sessionId, participantId }) => {
    if (selected?.sessionId === sessionId) selected.deviceRefused(participantId);
  });
  socket.on(FACTS.sessionEnded, ({ sessionId }) => {
    if (selected?.sessionId === sessionId) selected.ended();
    sessions = sessions.filter((s) => s.sessionId !== sessionId);
    presence.delete(sessionId);
    renderList();
  });
  onLocaleChange(() => {
    renderList();
    selected?.rerender();
  });
}
