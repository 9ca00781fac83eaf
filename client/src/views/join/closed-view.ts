/** Every way out of the journey ends on a clear, kind page, never a raw error. */
import type { MessageKey, MessageParams } from '../../i18n/translate.ts';
import type { ClosedReason } from '../../state/join-journey.ts';
import type { TakeHomeResource } from '@alcove/shared';
import { h } from '../common/dom-builder.ts';
import { takeHomeList } from './take-home-list.ts';

export type { ClosedReason };

const COPY: Readonly<Record<ClosedReason, { title: MessageKey; body: MessageKey }>> = {
  removed: { title: 'closed.removed.title', body: 'closed.removed.body' },
  'session-ended': { title: 'closed.ended.title', body: 'closed.ended.body' },
  'device-replaced': { title: 'closed.replaced.title', body: 'closed.replaced.body' },
  left: { title: 'closed.left.title', body: 'closed.left.body' },
  'invalid-invite': { title: 'closed.invalid.title', body: 'closed.invalid.body' },
  'too-early': { title: 'closed.early.title', body: 'closed.early.body' },
  'device-in-use': { title: 'closed.inUse.title', body: 'closed.inUse.body' },
  'rate-limited': { title: 'closed.rateLimited.title', body: 'closed.rateLimited.body' },
  unavailable: { title: 'closed.unavailable.title', body: 'closed.unavailable.body' },
  unsupported: { title: 'closed.unsupported.title', body: 'closed.unsupported.body' },
};

/** The ways out after which the therapist's resources are shown (the session is over for this person). */
export const SHOWS_RESOURCES: ReadonlySet<ClosedReason> = new Set<ClosedReason>(['session-ended', 'left']);

export function closedView(reason: ClosedReason, params: MessageParams, action: { key: MessageKey; run: () => void } | null, resources: readonly TakeHomeResource[] = []): HTMLElement {
  const copy = COPY[reason];
  return h(
    'section',
    { class: `card closed closed-${reason}`, attrs: { 'data-reason': reason } },
    h('h1', { msg: copy.title }),
    h('p', { msg: copy.body, params }),
    resources.length > 0 ? takeHomeList(resources) : null,
    action ? h('button', { class: resources.length > 0 ? 'button' : 'button primary', msg: action.key, attrs: { type: 'button' }, on: { click: action.run } }) : null,
  );
}
