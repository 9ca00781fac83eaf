/** Today's and upcoming sessions, each with how many people are waiting. */
import type { SessionSummary } from '@alcove/shared';
import { bindText } from '../../i18n/bind.ts';
import { formatDateTime, formatTime } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

export interface SessionListView {
  readonly root: HTMLElement;
  render(sessions: SessionSummary[], waitingBySession: ReadonlyMap<string, number>, selectedId: string | null): void;
}

function isToday(epochMs: number): boolean {
  const d = new Date(epochMs);
  const now = new Date();
  return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
}

export function sessionListView(onSelect: (sessionId: string) => void): SessionListView {
  const today = h('ul', { class: 'session-list', attrs: { 'aria-labelledby': 'today-title' } });
  const upcoming = h('ul', { class: 'session-list', attrs: { 'aria-labelledby': 'upcoming-title' } });
  const todayEmpty = h('p', { class: 'hint', msg: 'sessions.noneToday' });
  const upcomingEmpty = h('p', { class: 'hint', msg: 'sessions.noneUpcoming' });
  const root = h(
    'section',
    { class: 'panel sessions-panel', attrs: { 'aria-labelledby': 'sessions-title' } },
    h('h2', { id: 'sessions-title', msg: 'sessions.title' }),
    h('h3', { id: 'today-title', msg: 'sessions.today' }), today, todayEmpty,
    h('h3', { id: 'upcoming-title', msg: 'sessions.upcoming' }), upcoming, upcomingEmpty,
  );

  const item = (s: SessionSummary, waiting: number, selected: boolean, todayList: boolean) => {
    const badge = h('span', { class: 'waiting-badge', attrs: { hidden: waiting === 0 } });
    if (waiting > 0) bindText(badge, 'sessions.waitingCount', { count: waiting });
    const button = h(
      'button',
      {
        class: 'session-item',
        attrs: { type: 'button', 'aria-current': selected ? 'true' : null, 'data-session-id': s.sessionId },
        on: { click: () => onSelect(s.sessionId) },
      },
      h('span', { class: 'session-time' }, todayList ? formatTime(s.startsAt) : formatDateTime(s.startsAt)),
      h('span', { class: 'session-kind', msg: s.kind === 'couple' ? 'sessions.kindCouple' : 'sessions.kindIndividual' }),
      h('span', { class: `session-status status-${s.status}`, msg: s.status === 'live' ? 'sessions.live' : 'sessions.scheduled' }),
      badge,
    );
    return h('li', {}, button);
  };

  return {
    root,
    render(sessions, waitingBySession, selectedId) {
      const todays = sessions.filter((s) => isToday(s.startsAt) || s.status === 'live' || s.startsAt < Date.now());
      const later = sessions.filter((s) => !todays.includes(s));
      today.replaceChildren(...todays.map((s) => item(s, waitingBySession.get(s.sessionId) ?? 0, s.sessionId === selectedId, true)));
      upcoming.replaceChildren(...later.map((s) => item(s, waitingBySession.get(s.sessionId) ?? 0, s.sessionId === selectedId, false)));
      todayEmpty.hidden = todays.length > 0;
      upcomingEmpty.hidden = later.length > 0;
    },
  };
}
