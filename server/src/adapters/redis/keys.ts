/**
 * Every Redis key Alcove writes is built here. All keys share one prefix (tests
 * use a random one). Accounts (therapist:*) are the only keys without a TTL;
 * see docs/architecture.md for what each holds and how long it lives.
 */
export interface RedisKeys {
  therapist(therapistId: string): string;
  therapistByEmail(emailHash: string): string;
  therapists(): string;
  therapistRecoveryCodes(therapistId: string): string;
  totpStep(therapistId: string, step: number): string;
  login(loginId: string): string;
  session(sessionId: string): string;
  therapistSessions(therapistId: string): string;
  sessionParticipants(sessionId: string): string;
  participant(participantId: string): string;
  invite(inviteHash: string): string;
  participantInvite(participantId: string): string;
  deviceLease(participantId: string): string;
  rateLimit(scope: string, subjectHash: string): string;
  webhook(webhookId: string): string;
  socketStream(): string;
  auditStream(): string;
  /** A call's members by public key (hash: member id → role and public keys). */
  callMembers(sessionId: string): string;
  /** A therapist's sealing public key (account data: no TTL, like the account). */
  sealingKey(therapistId: string): string;
  /** A session's questionnaire and sealed notes and answers (hash: `form`, `note:{participantId}`, `intake:{participantId}`). */
  sealedInbox(sessionId: string): string;
  /** App instances and their last heartbeat (sorted set, score = epoch ms). */
  instances(): string;
  /** The client connections one app instance holds (hash: connection id → connection). */
  instanceConnections(instanceId: string): string;
  /** When each disconnected client loses its place (sorted set, score = epoch ms). */
  presenceDeadlines(): string;
}

export function createRedisKeys(prefix: string): RedisKeys {
  return {
    therapist: (id) => `${prefix}therapist:${id}`,
    therapistByEmail: (emailHash) => `${prefix}therapist-email:${emailHash}`,
    therapists: () => `${prefix}therapists`,
    therapistRecoveryCodes: (id) => `${prefix}therapist-recovery:${id}`,
    totpStep: (id, step) => `${prefix}totp-step:${id}:${step}`,
    login: (loginId) => `${prefix}login:${loginId}`,
    session: (id) => `${prefix}session:${id}`,
    therapistSessions: (therapistId) => `${prefix}therapist-sessions:${therapistId}`,
    sessionParticipants: (id) => `${prefix}session-participants:${id}`,
    participant: (id) => `${prefix}participant:${id}`,
    invite: (hash) => `${prefix}invite:${hash}`,
    participantInvite: (id) => `${prefix}participant-invite:${id}`,
    deviceLease: (id) => `${prefix}device-lease:${id}`,
    rateLimit: (scope, subjectHash) => `${prefix}rate:${scope}:${subjectHash}`,
    webhook: (id) => `${prefix}webhook:${id}`,
    socketStream: () => `${prefix}socket.io`,
    auditStream: () => `${prefix}audit`,
    callMembers: (id) => `${prefix}call-members:${id}`,
    sealingKey: (therapistId) => `${prefix}therapist-sealing-key:${therapistId}`,
    sealedInbox: (id) => `${prefix}sealed:${id}`,
    instances: () => `${prefix}instances`,
    instanceConnections: (id) => `${prefix}instance-connections:${id}`,
    presenceDeadlines: () => `${prefix}presence-deadlines`,
  };
}
