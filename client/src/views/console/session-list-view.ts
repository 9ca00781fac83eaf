/**
 * Today's and upcoming sessions, each with how many people are waiting.
 * Every presence update re-renders the list, so it is patched in place, keyed
 * by session id: an item's button is the same node for the session's whole life
 * and a keyboard user tabbing through the list keeps their place.
 */
import type { SessionSummary } from '@alcove/shared';
import { formatDateTime, formatTime } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';
import { keepingFocus, type Announce } from './focus-keeper.ts';
import { setBoundText, setText } from './patch-text.ts';

export interface SessionListView {
  readonly root: HTMLElement;
  render(sessions: SessionSummary[], waitingBySession: ReadonlyMap<string, number>, selectedId: string | null): void;
}

interface SessionItem {
  readonly li: HTMLLIElement;
  update(s: SessionSummary, waiting: number, selected: boolean, todayList: boolean): void;
}

function isToday(epochMs: number): boolean {
  const d = new Date(epochMs);
  const now = new Date();
  return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
}

function sessionItem(sessionId: string, onSelect: (sessionId: string) => void): SessionItem {
  const time = h('span', { class: 'session-time' });
  const kind = h('span', { class: 'session-kind' });
  const status = h('span', { class: 'session-status' });
  const badge = h('span', { class: 'waiting-badge', attrs: { hidden: true } });
  const button = h(
    'button',
    { class: 'session-item', attrs: { type: 'button', 'data-session-id': sessionId }, on: { click: () => onSelect(sessionId) } },
    time, kind, status, badge,
  );
  return {
    li: h('li', {}, button),
    update(s, waiting, selected, todayList) {
      if (selected) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
      setText(time, todayList ? formatTime(s.startsAt) : formatDateTime(s.startsAt));
      setBoundText(kind, s.kind === 'couple' ? 'sessions.kindCouple' : 'sessions.kindIndividual');
      status.className = `session-status status-${s.status}`;
      setBoundText(status, s.status === 'live' ? 'sessions.live' : 'sessions.scheduled');
      badge.hidden = waiting === 0;
      if (waiting > 0) setBoundText(badge, 'sessions.waitingCount', { count: waiting });
    },
  };
}

/** Puts `wanted` into `list` in order, moving only the nodes that are out of place. */
function placeInOrder(list: HTMLElement, wanted: readonly HTMLElement[]): void {
  wanted.forEach((node, i) => {
    const current = list.children[i] ?? null;
    if (current !== node) list.insertBefore(node, current);
  });
}

export function sessionListView(onSelect: (sessionId: string) => void, announce: Announce): SessionListView {
  const today = h('ul', { class: 'session-list', attrs: { 'aria-labelledby': 'today-title' } });
  const upcoming = h('ul', { class: 'session-list', attrs: { 'aria-labelledby': 'upcoming-title' } });
  const todayEmpty = h('p', { class: 'hint', msg: 'sessions.noneToday' });
  const upcomingEmpty = h('p', { class: 'hint', msg: 'sessions.noneUpcoming' });
  const title = h('h2', { id: 'sessions-title', msg: 'sessions.title' });
  const root = h(
    'section',
    { class: 'panel sessions-panel', attrs: { 'aria-labelledby': 'sessions-title' } },
    title,
    h('h3', { id: 'today-title', msg: 'sessions.today' }), today, todayEmpty,
    h('h3', { id: 'upcoming-title', msg: 'sessions.upcoming' }), upcoming, upcomingEmpty,
  );
  const items = new Map<string, SessionItem>();

  function renderNow(sessions: SessionSummary[], waitingBySession: ReadonlyMap<string, number>, selectedId: string | null) {
    const todays = sessions.filter((s) => isToday(s.startsAt) || s.status === 'live' || s.startsAt < Date.now());
    const later = sessions.filter((s) => !todays.includes(s));
    const listed = new Set(sessions.map((s) => s.sessionId));
    for (const [id, item] of items) {
      if (listed.has(id)) continue;
      item.li.remove();
      items.delete(id);
    }
    const place = (list: HTMLElement, group: SessionSummary[], todayList: boolean) => {
      placeInOrder(list, group.map((s) => {
        let item = items.get(s.sessionId);
        if (!item) {
          item = sessionItem(s.sessionId, onSelect);
          items.set(s.sessionId, item);
        }
        item.update(s, waitingBySession.get(s.sessionId) ?? 0, s.sessionId === selectedId, todayList);
        return item.li;
      }));
    };
    place(today, todays, true);
    place(upcoming, later, false);
    todayEmpty.hidden = todays.length > 0;
    upcomingEmpty.hidden = later.length > 0;
  }

  return {
    root,
    render(sessions, waitingBySession, selectedId) {
      keepingFocus([{ root, heading: title }], announce, () => renderNow(sessions, waitingBySession, selectedId));
    },
  };
}
