import { expect } from 'chai';
import { AUDIT_EVENTS } from '../../server/src/observability/audit-trail.ts';
import {
  LIFECYCLE_COMMANDS,
  LIFECYCLE_TABLE,
  PARTICIPANT_STATUSES,
  TRANSITION_AUDIT_EVENTS,
  allows,
  isInCall,
  isPresent,
  nextStatus,
  statesAllowing,
  targetOf,
} from '../../server/src/presence/participant-lifecycle.ts';

describe('participant lifecycle table', () => {
  it('names only known states and commands', () => {
    for (const [state, row] of Object.entries(LIFECYCLE_TABLE)) {
      expect(PARTICIPANT_STATUSES).to.include(state);
      for (const [command, next] of Object.entries(row)) {
        expect(LIFECYCLE_COMMANDS, `${state} × ${command}`).to.include(command);
        expect(PARTICIPANT_STATUSES, `${state} × ${command}`).to.include(next);
      }
    }
  });

  it('audits every command that changes a state, with an event of the audit trail', () => {
    for (const state of PARTICIPANT_STATUSES) {
      for (const command of LIFECYCLE_COMMANDS) {
        const next = nextStatus(state, command);
        if (next !== null && next !== state) expect(TRANSITION_AUDIT_EVENTS[command], `${state} × ${command} → ${next}`).to.be.a('string');
      }
    }
    for (const event of Object.values(TRANSITION_AUDIT_EVENTS)) expect(AUDIT_EVENTS).to.include(event);
  });

  it('lets a removed participant do nothing at all', () => {
    for (const command of LIFECYCLE_COMMANDS) expect(allows('removed', command), command).to.equal(false);
  });

  it('admits only a waiting client, and sends back only an admitted one', () => {
    expect(statesAllowing('admit')).to.deep.equal(['waiting']);
    expect(targetOf('admit')).to.equal('admitted');
    expect(statesAllowing('send-back')).to.deep.equal(['admitted']);
    expect(targetOf('send-back')).to.equal('waiting');
  });

  it('removes from every state but removed', () => {
    expect(statesAllowing('remove')).to.deep.equal(['invited', 'waiting', 'admitted', 'held', 'left']);
    expect(targetOf('remove')).to.equal('removed');
  });

  it('gives a media token, the media room and the key only to someone in the call', () => {
    for (const command of ['get-media-token', 'exchange-keys', 'media-joined', 'mute'] as const) {
      expect(statesAllowing(command), command).to.deep.equal(['admitted']);
      expect(targetOf(command), command).to.equal(null);
    }
    expect(PARTICIPANT_STATUSES.filter(isInCall)).to.deep.equal(['admitted']);
  });

  it('keeps a waiting place for a client shown as left, who waits again on check-in', () => {
    expect(nextStatus('left', 'check-in')).to.equal('waiting');
    expect(nextStatus('invited', 'check-in')).to.equal('waiting');
    expect(nextStatus('admitted', 'check-in')).to.equal('admitted');
    expect(nextStatus('waiting', 'grace-expired')).to.equal('left');
    expect(statesAllowing('grace-expired')).to.deep.equal(['waiting']);
  });

  it('refuses to guess a target when states lead to different places', () => {
    expect(() => targetOf('check-in')).to.throw(/different states/);
    expect(targetOf('check-in', ['left'])).to.equal('waiting');
    expect(targetOf('check-in', ['admitted'])).to.equal(null);
    expect(() => targetOf('admit', ['left'])).to.throw(/not allowed/);
  });

  it('treats connection events as stays in every state with an invite', () => {
    for (const command of ['connect', 'disconnect', 'report-connection-check'] as const) {
      expect(statesAllowing(command), command).to.deep.equal(['invited', 'waiting', 'admitted', 'held', 'left']);
      expect(targetOf(command), command).to.equal(null);
    }
  });

  it('counts waiting and admitted participants as present in the session', () => {
    expect(PARTICIPANT_STATUSES.filter(isPresent)).to.deep.equal(['waiting', 'admitted', 'held']);
  });

  describe('time alone with one partner (held)', () => {
    it('holds only someone in the call, and releases only someone held, back into the call', () => {
      expect(statesAllowing('hold')).to.deep.equal(['admitted']);
      expect(targetOf('hold')).to.equal('held');
      expect(statesAllowing('release')).to.deep.equal(['held']);
      expect(targetOf('release')).to.equal('admitted');
    });

    it('gives a held partner no media token, no key, no media room and no mute', () => {
      for (const command of ['get-media-token', 'exchange-keys', 'media-joined', 'mute'] as const) expect(allows('held', command), command).to.equal(false);
      expect(isInCall('held')).to.equal(false);
    });

    it('keeps a held partner held across a reload, a dropped connection and a swept instance', () => {
      for (const command of ['check-in', 'connect', 'disconnect', 'reaffirm', 'media-left'] as const) expect(nextStatus('held', command), command).to.equal('held');
      expect(allows('held', 'grace-expired')).to.equal(false);
    });

    it('does not let admit (or admit-all) release a held partner', () => {
      expect(allows('held', 'admit')).to.equal(false);
      expect(allows('held', 'send-back')).to.equal(false);
    });

    it('lets a held partner still send the therapist a sealed note, like anyone checked in', () => {
      expect(statesAllowing('send-sealed')).to.deep.equal(['waiting', 'admitted', 'held']);
      expect(targetOf('send-sealed')).to.equal(null);
    });

    it('lets a held partner leave or be removed', () => {
      expect(nextStatus('held', 'leave')).to.equal('left');
      expect(nextStatus('held', 'remove')).to.equal('removed');
      expect(TRANSITION_AUDIT_EVENTS.hold).to.equal('held');
      expect(TRANSITION_AUDIT_EVENTS.release).to.equal('released');
    });
  });
});
