import { expect } from 'chai';
import type { WaitingRoomMessage } from '@alcove/shared';
import {
  CALL_DROP_SETTLE_MS,
  initialJourney,
  JOIN_RETRY_MS,
  SERVER_CLOSE_SETTLE_MS,
  step,
  type JourneyEffect,
  type JourneyEvent,
  type JourneyState,
} from '../../client/src/state/join-journey.ts';

/** Runs events from a state; returns where the journey is and the effects of the last event. */
function after(events: JourneyEvent[], from: JourneyState = initialJourney): { state: JourneyState; effects: readonly JourneyEffect[] } {
  let state = from;
  let effects: readonly JourneyEffect[] = [];
  for (const event of events) ({ state, effects } = step(state, event));
  return { state, effects };
}

const types = (effects: readonly JourneyEffect[]) => effects.map((e) => e.type);
const message: WaitingRoomMessage = { text: 'Two minutes', sentAt: 1_700_000_000_000 };
const fresh: JourneyEvent = { type: 'socket-connected', noticeRead: false, checkedIn: false, displayName: null };
const waiting: JourneyEvent[] = [fresh, { type: 'notice-read' }, { type: 'checked-in', displayName: 'Sam', state: 'waiting', lastMessage: null }];
const inCall: JourneyEvent[] = [...waiting, { type: 'admitted' }, { type: 'call-shown', callId: 1 }, { type: 'call-joined', callId: 1 }];

describe('the client journey (pure transitions)', () => {
  it('starts on the notice, then the check-in, remembering the notice was read', () => {
    expect(after([fresh]).state.screen).to.equal('notice');
    expect(after([fresh]).effects).to.deep.equal([{ type: 'show-notice' }]);
    const read = after([fresh, { type: 'notice-read' }]);
    expect(read.state.screen).to.equal('check-in');
    expect(read.effects).to.deep.equal([{ type: 'remember', patch: { noticeRead: true } }, { type: 'show-check-in' }]);
  });

  it('skips the notice once read, and checks in again under the saved name after a reload or reconnect', () => {
    expect(after([{ type: 'socket-connected', noticeRead: true, checkedIn: false, displayName: null }]).effects).to.deep.equal([{ type: 'show-check-in' }]);
    const back = after([{ type: 'socket-connected', noticeRead: true, checkedIn: true, displayName: 'Sam' }], { ...initialJourney, screen: 'waiting' });
    expect(back.effects).to.deep.equal([{ type: 'check-in', displayName: 'Sam', fromForm: false }]);
    // A reconnect on the check-in screen before checking in changes nothing (the typed name stays).
    expect(after([fresh], { ...initialJourney, screen: 'check-in' }).effects).to.deep.equal([]);
  });

  it('goes to the waiting room with the last message and remembers the check-in', () => {
    const { state, effects } = after([fresh, { type: 'notice-read' }, { type: 'check-in-submitted', displayName: 'Sam' }]);
    expect(effects).to.deep.equal([{ type: 'check-in', displayName: 'Sam', fromForm: true }]);
    const checked = step(state, { type: 'checked-in', displayName: 'Sam', state: 'waiting', lastMessage: message });
    expect(checked.state.screen).to.equal('waiting');
    expect(checked.effects).to.deep.equal([
      { type: 'remember', patch: { displayName: 'Sam', checkedIn: true } },
      { type: 'show-waiting' },
      { type: 'waiting-status', key: 'waiting.status.waiting' },
      { type: 'waiting-message', message },
    ]);
    // Already in the waiting room: the screen is kept (no second announcement of the page).
    expect(types(step(checked.state, { type: 'checked-in', displayName: 'Sam', state: 'waiting', lastMessage: message }).effects)).to.not.include('show-waiting');
  });

  it('shows the therapist’s messages only while waiting, and the last one on coming back', () => {
    const posted = after([...waiting, { type: 'message-posted', message }]);
    expect(posted.effects).to.deep.equal([{ type: 'waiting-message', message }]);
    const inCallPosted = after([...inCall, { type: 'message-posted', message }]);
    expect(inCallPosted.effects).to.deep.equal([]);
    expect(after([{ type: 'sent-back' }], inCallPosted.state).effects).to.deep.include({ type: 'waiting-message', message });
  });

  it('explains a refused check-in on the form, and starts over quietly when it was not the form', () => {
    const form = after([fresh, { type: 'notice-read' }]).state;
    const errorOf = (code: string) => step(form, { type: 'check-in-failed', code, fromForm: true }).effects;
    expect(errorOf('bad_request')).to.deep.equal([{ type: 'check-in-error', key: 'checkIn.nameInvalid' }]);
    expect(errorOf('rate_limited')).to.deep.equal([{ type: 'check-in-error', key: 'checkIn.rateLimited' }]);
    expect(errorOf('timeout')).to.deep.equal([{ type: 'check-in-error', key: 'checkIn.failed' }]);
    expect(step(form, { type: 'check-in-failed', code: 'timeout', fromForm: false }).effects).to.deep.equal([{ type: 'show-check-in' }]);
    const ended = step(form, { type: 'check-in-failed', code: 'session_ended', fromForm: true });
    expect(ended.state.screen).to.equal('closed');
    expect(ended.effects).to.deep.equal([{ type: 'close', reason: 'session-ended', opensAt: null, forgetInvite: true, markLeft: false, action: null }]);
  });

  it('joins the call once when admitted, however many times the news comes', () => {
    const admitted = after([...waiting, { type: 'admitted' }]);
    expect(admitted.effects).to.deep.equal([{ type: 'waiting-status', key: 'waiting.status.admitting' }, { type: 'join-call', callId: 1 }]);
    expect(types(step(admitted.state, { type: 'admitted' }).effects)).to.not.include('join-call');
    expect(step(admitted.state, { type: 'checked-in', displayName: 'Sam', state: 'admitted', lastMessage: null }).effects).to.deep.equal([
      { type: 'remember', patch: { displayName: 'Sam', checkedIn: true } },
    ]);
    const joined = after([{ type: 'call-shown', callId: 1 }, { type: 'call-joined', callId: 1 }], admitted.state);
    expect(joined.state).to.include({ screen: 'call', hasCall: true, joining: false });
    expect(joined.effects).to.deep.equal([{ type: 'announce-joined' }]);
    // The server's answer after a reconnect in the call: stay in it.
    expect(types(step(joined.state, { type: 'checked-in', displayName: 'Sam', state: 'in-call', lastMessage: null }).effects)).to.deep.equal(['remember']);
  });

  describe('held (the therapist talks with the other partner alone)', () => {
    it('leaves the call for the hold screen, and joins again when released', () => {
      const held = after([...inCall, { type: 'held' }]);
      expect(held.state).to.include({ screen: 'held', hasCall: false });
      expect(held.effects).to.deep.equal([{ type: 'end-call', wait: true }, { type: 'show-held' }]);
      // Messages for the waiting room and news of the call do not reach the hold screen.
      expect(step(held.state, { type: 'message-posted', message }).effects).to.deep.equal([]);
      const released = step(held.state, { type: 'admitted' });
      expect(released.effects).to.deep.equal([{ type: 'join-call', callId: 2 }]);
      const back = after([{ type: 'call-shown', callId: 2 }, { type: 'call-joined', callId: 2 }], released.state);
      expect(back.state).to.include({ screen: 'call', hasCall: true, joining: false });
    });

    it('lands on the hold screen again after a reload or a reconnection, as the server says', () => {
      const reloaded = after([...waiting.slice(0, 2), { type: 'checked-in', displayName: 'Sam', state: 'held', lastMessage: null }]);
      expect(reloaded.state.screen).to.equal('held');
      expect(reloaded.effects).to.deep.equal([{ type: 'remember', patch: { displayName: 'Sam', checkedIn: true } }, { type: 'show-held' }]);
      // Checked in again while already on it: nothing changes.
      expect(step(reloaded.state, { type: 'checked-in', displayName: 'Sam', state: 'held', lastMessage: null }).effects).to.deep.equal([
        { type: 'remember', patch: { displayName: 'Sam', checkedIn: true } },
      ]);
    });

    it('keeps the hold screen when a join under way is refused or its call opens after the hold', () => {
      const joining = after([...waiting, { type: 'admitted' }, { type: 'held' }]);
      expect(joining.state.screen).to.equal('held');
      expect(step(joining.state, { type: 'call-shown', callId: 1 }).effects).to.deep.equal([{ type: 'end-call', wait: true }, { type: 'show-held' }]);
      const refused = step(joining.state, { type: 'call-failed', callId: 1, failure: { kind: 'api', code: 'not_admitted' } });
      expect(refused.state).to.include({ screen: 'held', joining: false });
      expect(types(refused.effects)).to.deep.equal(['end-call']);
    });

    it('leaves from the hold screen like from anywhere else', () => {
      const held = after([...inCall, { type: 'held' }]);
      expect(types(step(held.state, { type: 'leave-clicked' }).effects)).to.deep.equal(['end-call', 'send-leave']);
      expect(after([{ type: 'closed-by-server', reason: 'session-ended' }], held.state).state.screen).to.equal('closed');
    });
  });

  it('goes back to the waiting room when sent back, leaving the call first', () => {
    const { state, effects } = after([...inCall, { type: 'sent-back' }]);
    expect(state).to.include({ screen: 'waiting', hasCall: false });
    expect(effects).to.deep.equal([
      { type: 'end-call', wait: true },
      { type: 'show-waiting' },
      { type: 'waiting-status', key: 'waiting.status.sentBack' },
      { type: 'waiting-message', message: null },
    ]);
    // And comes in again on the next admission.
    expect(step(state, { type: 'admitted' }).effects).to.deep.include({ type: 'join-call', callId: 2 });
  });

  it('turns a failed join into the waiting room, a closing page, or another try', () => {
    const joining = after([...waiting, { type: 'admitted' }, { type: 'call-shown', callId: 1 }]).state;
    const failed = (failure: Parameters<typeof step>[1] & { type: 'call-failed' }) => step(joining, failure);
    const closing = (effects: readonly JourneyEffect[]) => effects.find((e) => e.type === 'close');
    expect(closing(failed({ type: 'call-failed', callId: 1, failure: { kind: 'encryption-unavailable' } }).effects)).to.include({ reason: 'unsupported' });
    expect(closing(failed({ type: 'call-failed', callId: 1, failure: { kind: 'api', code: 'session_ended' } }).effects)).to.include({ reason: 'session-ended' });
    expect(closing(failed({ type: 'call-failed', callId: 1, failure: { kind: 'api', code: 'invalid_invite' } }).effects)).to.include({ reason: 'removed', forgetInvite: true });
    expect(closing(failed({ type: 'call-failed', callId: 1, failure: { kind: 'api', code: 'device_in_use' } }).effects)).to.include({ reason: 'device-replaced' });
    for (const kind of ['api', 'command'] as const) {
      const back = failed({ type: 'call-failed', callId: 1, failure: { kind, code: 'not_admitted' } });
      expect(back.state).to.include({ screen: 'waiting', joining: false, hasCall: false });
      expect(types(back.effects)).to.deep.equal(['end-call', 'show-waiting', 'waiting-status', 'waiting-message']);
    }
    const blip = failed({ type: 'call-failed', callId: 1, failure: { kind: 'command', code: 'session_ended' } });
    expect(blip.effects).to.deep.equal([{ type: 'end-call', wait: true }, { type: 'after', delayMs: JOIN_RETRY_MS, event: { type: 'join-retry-due' } }]);
    expect(step(blip.state, { type: 'join-retry-due' }).effects).to.deep.equal([{ type: 'check-in-again' }]);
    expect(step({ ...blip.state, screen: 'closed' }, { type: 'join-retry-due' }).effects).to.deep.equal([]);
  });

  it('waits for the server to explain a dropped call, then asks again, or closes when another device took over', () => {
    const ended = after([...inCall, { type: 'call-ended', callId: 1, reason: 'lost' }]);
    expect(ended.effects).to.deep.equal([{ type: 'call-reconnecting' }, { type: 'after', delayMs: CALL_DROP_SETTLE_MS, event: { type: 'call-drop-settled', callId: 1, reason: 'lost' } }]);
    expect(step(ended.state, { type: 'call-drop-settled', callId: 1, reason: 'lost' }).effects).to.deep.equal([{ type: 'end-call', wait: true }, { type: 'check-in-again' }]);
    const replaced = step(ended.state, { type: 'call-drop-settled', callId: 1, reason: 'replaced' });
    expect(replaced.effects.map((e) => (e.type === 'close' ? e.reason : e.type))).to.deep.equal(['end-call', 'device-replaced']);
    // The server explained meanwhile (sent back): the old call's news means nothing now.
    const sentBack = after([{ type: 'sent-back' }], ended.state).state;
    expect(step(sentBack, { type: 'call-drop-settled', callId: 1, reason: 'lost' }).effects).to.deep.equal([]);
    expect(step(sentBack, { type: 'call-ended', callId: 1, reason: 'lost' }).effects).to.deep.equal([]);
  });

  it('closes kindly on a refused handshake, and says "reconnecting" in the waiting room otherwise', () => {
    const refused = (code: string | null, socketActive = true, from = initialJourney) => step(from, { type: 'handshake-failed', code, opensAt: 42, socketActive }).effects;
    const table: [string, string][] = [
      ['invalid_invite', 'invalid-invite'],
      ['bad_request', 'invalid-invite'],
      ['unauthorized', 'invalid-invite'],
      ['session_ended', 'session-ended'],
      ['device_in_use', 'device-in-use'],
      ['rate_limited', 'rate-limited'],
    ];
    for (const [code, reason] of table) expect(refused(code)[0], code).to.include({ type: 'close', reason, opensAt: null });
    expect(refused('invite_not_open_yet')).to.deep.equal([{ type: 'close', reason: 'too-early', opensAt: 42, forgetInvite: false, markLeft: false, action: 'closed.tryAgain' }]);
    expect(refused(null, false)[0]).to.include({ reason: 'unavailable', action: 'closed.tryAgain' });
    expect(refused(null, true, after(waiting).state)).to.deep.equal([{ type: 'waiting-status', key: 'waiting.status.reconnecting' }]);
    expect(refused(null, true, after(inCall).state)).to.deep.equal([]);
  });

  it('treats a server disconnect without a reason as the service being unavailable', () => {
    const dropped = after([...waiting, { type: 'socket-dropped', reason: 'io server disconnect' }]);
    expect(dropped.effects).to.deep.equal([{ type: 'after', delayMs: SERVER_CLOSE_SETTLE_MS, event: { type: 'server-close-settled' } }]);
    expect(step(dropped.state, { type: 'server-close-settled' }).effects[0]).to.include({ type: 'close', reason: 'unavailable' });
    expect(after([{ type: 'closed-by-server', reason: 'removed' }, { type: 'server-close-settled' }], dropped.state).effects).to.deep.equal([]);
    expect(after([...waiting, { type: 'socket-dropped', reason: 'transport close' }]).effects).to.deep.equal([{ type: 'waiting-status', key: 'waiting.status.reconnecting' }]);
  });

  it('closes once on the server’s word, forgetting the invite only when it can never work again', () => {
    const removed = after([...inCall, { type: 'closed-by-server', reason: 'removed' }]);
    expect(removed.state).to.include({ screen: 'closed', leaving: true, hasCall: false });
    expect(removed.effects).to.deep.equal([{ type: 'close', reason: 'removed', opensAt: null, forgetInvite: true, markLeft: false, action: null }]);
    expect(step(removed.state, { type: 'closed-by-server', reason: 'session-ended' }).effects).to.deep.equal([]);
    expect(after([...waiting, { type: 'closed-by-server', reason: 'device-replaced' }]).effects[0]).to.include({ reason: 'device-replaced', forgetInvite: false });
  });

  it('leaves: ends the call, tells the server, then offers the way back', () => {
    const leaving = after([...inCall, { type: 'leave-clicked' }]);
    expect(leaving.state).to.include({ leaving: true, hasCall: false });
    expect(leaving.effects).to.deep.equal([{ type: 'end-call', wait: true }, { type: 'send-leave' }]);
    // Drops while leaving are expected, not news.
    expect(step(leaving.state, { type: 'socket-dropped', reason: 'io server disconnect' }).effects).to.deep.equal([]);
    expect(step(leaving.state, { type: 'call-ended', callId: 1, reason: 'left' }).effects).to.deep.equal([]);
    expect(step(leaving.state, { type: 'leave-sent' }).effects).to.deep.equal([
      { type: 'close', reason: 'left', opensAt: null, forgetInvite: false, markLeft: true, action: 'closed.rejoin' },
    ]);
  });

  it('never joins a call once the journey is closed', () => {
    const closed = after([...waiting, { type: 'closed-by-server', reason: 'session-ended' }]).state;
    expect(step(closed, { type: 'admitted' }).effects).to.deep.equal([]);
    expect(step(closed, { type: 'checked-in', displayName: 'Sam', state: 'admitted', lastMessage: null }).effects).to.deep.equal([
      { type: 'remember', patch: { displayName: 'Sam', checkedIn: true } },
    ]);
  });
});
