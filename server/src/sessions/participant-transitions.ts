/**
 * The one way a participant's state changes: the lifecycle table (presence/participant-lifecycle.ts)
 * says which states a command may start from and where it leads, the store's compare-and-set applies
 * it atomically, and every change of state is audited here, the same way for a console command, a
 * client's socket, a webhook or a timer.
 */
import type { AuditTrail } from '../observability/audit-trail.ts';
import { statesAllowing, targetOf, TRANSITION_AUDIT_EVENTS, type LifecycleCommand, type ParticipantStatus } from '../presence/participant-lifecycle.ts';
import type { ParticipantPatch, ParticipantRecord, ParticipantStore } from './participant-records.ts';

export interface TransitionOptions {
  /** The state read just before, when the command leads to different places from different states (check-in). */
  from?: ParticipantStatus;
  /** Only if this connection still holds the participant ('' = none does). */
  ifConnectionId?: string;
  /** Who did it, when it was the therapist (opaque id, for the audit trail). */
  therapistId?: string;
}

export type TransitionPatch = Omit<ParticipantPatch, 'status'>;

export async function applyTransition(
  deps: { participants: ParticipantStore; audit: AuditTrail },
  command: LifecycleCommand,
  participantId: string,
  patch: TransitionPatch,
  options: TransitionOptions = {},
): Promise<ParticipantRecord | null> {
  const from = options.from === undefined ? statesAllowing(command) : [options.from];
  if (from.length === 0) return null;
  let target: ParticipantStatus | null;
  try {
    target = targetOf(command, from);
  } catch {
    // The state read before refuses the command (it changed meanwhile, or never allowed it).
    return null;
  }
  const record = await deps.participants.transitionParticipant(participantId, from, target ? { ...patch, status: target } : patch, options.ifConnectionId);
  if (record && target) {
    const event = TRANSITION_AUDIT_EVENTS[command];
    if (event) deps.audit.record(event, { sessionId: record.sessionId, therapistId: options.therapistId, participantId });
  }
  return record;
}
