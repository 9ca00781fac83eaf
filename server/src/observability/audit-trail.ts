/**
 * The append-only trail of security events. Opaque ids only — never a name,
 * email, secret or token — so the trail itself is not personal data beyond
 * "this therapist id did this at that time".
 */
export const AUDIT_EVENTS = [
  'login',
  'login-failed',
  'session-created',
  'session-started',
  'invite-redeemed',
  'device-refused',
  'admitted',
  'sent-back',
  'removed',
  'session-ended',
  'recording-blocked',
  'encryption-failure',
  'unadmitted-join-removed',
  'key-rotated',
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

export interface AuditTrail {
  /** Never throws: an audit write failure is logged, it does not fail the action it records. */
  record(event: AuditEvent, fields?: AuditFields): void;
  list(options: { sinceMs?: number; limit?: number }): Promise<AuditEntry[]>;
}
