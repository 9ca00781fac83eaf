/**
 * The append-only trail of security events, and the one path they take: the
 * login, the account's lifecycle (CLI or console) and every participant
 * transition call `record` here (HIPAA audit controls). Opaque ids only — never
 * a name, email, secret or token — so the trail itself is not personal data
 * beyond "this therapist id did this at that time".
 */
export const AUDIT_EVENTS = [
  // the therapist's login
  'login',
  'login-failed',
  'logout',
  // the account, by its owner in the console or by the operator with the CLI (reason: 'operator')
  'therapist-added',
  'therapist-disabled',
  'therapist-enabled',
  'password-reset',
  'two-factor-setup-started',
  'two-factor-enabled',
  'two-factor-reset',
  // sessions and participants
  'session-created',
  'session-started',
  'invite-redeemed',
  'device-refused',
  // every change of a participant's state (presence/participant-lifecycle.ts, TRANSITION_AUDIT_EVENTS)
  'checked-in',
  'left',
  'place-expired',
  'admitted',
  'sent-back',
  'held',
  'released',
  'removed',
  'session-ended',
  'recording-blocked',
  'encryption-failure',
  'unadmitted-join-removed',
  // sealed notes and intake (opaque ids only: never a word of what was written, nor its size)
  'sealing-key-set',
  'intake-attached',
  'private-note-received',
  'intake-submitted',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface AuditFields {
  therapistId?: string;
  sessionId?: string;
  participantId?: string;
  reason?: string;
}

export interface AuditEntry extends AuditFields {
  id: string;
  at: number;
  event: AuditEvent;
}

/** How long entries are kept unless AUDIT_RETENTION_DAYS says otherwise. */
export const AUDIT_RETENTION_DAYS_DEFAULT = 90;

export interface AuditTrail {
  /**
   * Never rejects: an audit write failure is logged, it does not fail the action it records.
   * Resolves once written (or the failure logged); a short-lived process (the CLI) awaits it.
   */
  record(event: AuditEvent, fields?: AuditFields): Promise<void>;
  list(options: { sinceMs?: number; limit?: number }): Promise<AuditEntry[]>;
}
