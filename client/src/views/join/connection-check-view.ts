/** The pre-call connection check in words, inside check-in: what it found and what to do about it. */
import type { ConnectionVerdict } from '@alcove/shared';
import type { ConnectionCheck, ConnectionCheckState } from '../../call/connection-check.ts';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

const VERDICT_KEYS: Readonly<Record<ConnectionVerdict, MessageKey>> = {
  ready: 'connectionCheck.ready',
  'slower-path': 'connectionCheck.slowerPath',
  blocked: 'connectionCheck.blocked',
  'no-encryption': 'connectionCheck.noEncryption',
};

export interface ConnectionCheckView {
  readonly root: HTMLElement;
  destroy(): void;
}

export function connectionCheckView(check: ConnectionCheck): ConnectionCheckView {
  // A live region: the result is announced when it arrives, without moving focus from the form.
  const status = h('p', { class: 'connection-check-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const again = h('button', { class: 'button small', msg: 'connectionCheck.again', attrs: { type: 'button' }, on: { click: () => check.start() } });
  const root = h('section', { class: 'connection-check', msgAttrs: { 'aria-label': 'connectionCheck.title' } }, h('h2', { msg: 'connectionCheck.title' }), status, again);

  const render = (state: ConnectionCheckState) => {
    root.dataset.status = state.status;
    again.hidden = state.status === 'checking' || state.status === 'idle';
    if (state.status === 'done') {
      root.dataset.verdict = state.verdict;
      // For the rehearsal's figures (printed, not asserted); a duration says nothing about a person.
      root.dataset.durationMs = String(state.durationMs);
      bindText(status, VERDICT_KEYS[state.verdict]);
    } else {
      delete root.dataset.verdict;
      bindText(status, state.status === 'not-run' ? 'connectionCheck.failed' : 'connectionCheck.checking');
    }
  };
  render(check.state());
  const stop = check.onChange(render);
  if (check.state().status === 'idle') check.start();
  return { root, destroy: stop };
}
