import type { CheckInResult, ConnectionVerdict } from '@alcove/shared';
import { AppError } from '../app-error.ts';
import type { RateLimitDecision, RateLimiter } from '../rate-limits/rate-limit.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import { allows, isInCall, nextStatus } from '../presence/participant-lifecycle.ts';
import { toPresence } from '../presence/presence-view.ts';
import { applyTransition } from '../sessions/participant-transitions.ts';
import { hashInviteSecret } from '../sessions/invite-secret.ts';
import type { InviteStore, ResolvedInvite } from '../sessions/invites.ts';
import type { ParticipantRecord, ParticipantStore } from '../sessions/participant-records.ts';
import type { SessionRecord, SessionStore } from '../sessions/session-records.ts';
import type { ClientConnection } from './client-connection.ts';
import type { DeviceLeaseStore } from './device-leases.ts';
import type { PresenceLedger } from './presence-ledger.ts';
import type { WaitingRoomNotifier } from './waiting-room-notifier.ts';
import type { CallMembers } from '../encryption/call-member-relay.ts';

/** Failed invite redemptions allowed per client IP per window before it is slowed down. */
export const INVITE_FAILURE_LIMIT = { limit: 20, windowSeconds: 10 * 60 } as const;
/** The rate-limit scope of failed invite redemptions, counted per client IP. */
export const INVITE_FAILURE_SCOPE = 'invite-fail';

export interface ClientPresenceDeps {
  sessionStore: SessionStore;
  participants: ParticipantStore;
  invites: InviteStore;
  leases: DeviceLeaseStore;
  /** Deadlines kept where every instance can see them (see presence-sweeper.ts). */
  deadlines: Pick<PresenceLedger, 'addDeadline'>;
  notifier: WaitingRoomNotifier;
  /** A client who leaves leaves the call's member list too. */
  members: Pick<CallMembers, 'drop'>;
  rateLimiter: RateLimiter;
  logger: Logger;
  audit: AuditTrail;
  now: () => number;
  graceMs: number;
  /** LiveKit's signalling URL, told at check-in so a waiting page can warm its connection to it. */
  mediaUrl: string;
}

export type { ClientConnection } from './client-connection.ts';

export interface ClientPresence {
  /** Resolves an invite (rate-limited on failures) to its participant and session. */
  redeemInvite(inviteSecret: string, clientIp: string): Promise<ResolvedInvite>;
  /**
   * The same decision from what a caller already read in its own round trip (the token path,
   * token-redemption.ts): the address's failure counter and the resolved invite.
   */
  settleRedemption(read: { addressBlocked: RateLimitDecision; found: ResolvedInvite | null }, clientIp: string): Promise<ResolvedInvite>;
  /** Accepts a connection for an invite: checks the window and the one-device lease. */
  connect(input: { inviteSecret: string; deviceId: string; connectionId: string; clientIp: string }): Promise<ClientConnection>;
  checkIn(conn: ClientConnection, displayName: string): Promise<CheckInResult>;
  /** Renews the device lease while the connection is alive. */
  heartbeat(conn: ClientConnection): Promise<void>;
  /** The connection dropped (at `atMs`, default now): keep the place for the grace period. */
  disconnected(conn: ClientConnection, atMs?: number): Promise<void>;
  /** Called once the grace period is over: a client that has not come back is shown as left (its place is kept for its return). */
  expireIfGone(conn: ClientConnection): Promise<void>;
  /** A connection wrongly recorded as dropped (its instance was taken for dead) is live after all. */
  reaffirm(conn: ClientConnection): Promise<void>;
  leave(conn: ClientConnection): Promise<void>;
  /** The client's pre-call connection check: kept with its presence, shown to the therapist. */
  reportConnectionCheck(conn: ClientConnection, verdict: ConnectionVerdict): Promise<void>;
}

export function createClientPresence(deps: ClientPresenceDeps): ClientPresence {
  const publish = (therapistId: string, record: ParticipantRecord) =>
    deps.notifier.presenceChanged(therapistId, record.sessionId, toPresence(record));

  async function redeemInvite(inviteSecret: string, clientIp: string): Promise<ResolvedInvite> {
    // Both at once. A right invite is never refused because of other people's failures from the
    // same address (a clinic's Wi-Fi, a carrier's NAT): the address limit only slows down wrong
    // guesses, which is all it is for — a 256-bit secret cannot be guessed, only flooded for.
    const [addressBlocked, found] = await Promise.all([
      deps.rateLimiter.isBlocked(INVITE_FAILURE_SCOPE, clientIp, INVITE_FAILURE_LIMIT.limit),
      deps.invites.resolveInvite(hashInviteSecret(inviteSecret)),
    ]);
    return settleRedemption({ addressBlocked, found }, clientIp);
  }

  async function settleRedemption(read: { addressBlocked: RateLimitDecision; found: ResolvedInvite | null }, clientIp: string): Promise<ResolvedInvite> {
    const { addressBlocked, found } = read;
    if (!found || !allows(found.participant.status, 'connect')) {
      // A blocked address is told only "slow down", so a flood learns nothing and costs one lookup.
      if (!addressBlocked.allowed) throw AppError.rateLimited(addressBlocked.retryAfterSeconds);
      const decision = await deps.rateLimiter.hit(INVITE_FAILURE_SCOPE, clientIp, INVITE_FAILURE_LIMIT.limit, INVITE_FAILURE_LIMIT.windowSeconds);
      if (!decision.allowed) throw AppError.rateLimited(decision.retryAfterSeconds);
      throw AppError.invalidInvite();
    }
    const { session } = found;
    if (session.status === 'ended') throw AppError.sessionEnded();
    const now = deps.now();
    if (now >= session.closesAt) throw AppError.invalidInvite();
    if (now < session.opensAt) {
      throw new AppError('invite_not_open_yet', {
        details: { opensAt: session.opensAt },
      });
    }
    return found;
  }

  return {
    redeemInvite,
    settleRedemption,

    async connect({ inviteSecret, deviceId, connectionId, clientIp }) {
      const { participant, session } = await redeemInvite(inviteSecret, clientIp);
      if (!(await deps.leases.acquireDeviceLease(participant.id, deviceId, deps.graceMs))) {
        const at = deps.now();
        deps.notifier.deviceRefused(session.therapistId, session.id, participant.id, at);
        deps.logger.info('second device refused', { event: 'waiting-room.device-refused', sessionId: session.id, participantId: participant.id });
        deps.audit.record('device-refused', { sessionId: session.id, participantId: participant.id });
        throw new AppError('device_in_use');
      }
      const updated = await applyTransition(deps, 'connect', participant.id, { connectionId, disconnectedAt: null, updatedAt: deps.now() });
      if (!updated) throw AppError.invalidInvite();
      if (updated.status !== 'invited') publish(session.therapistId, updated);
      deps.audit.record('invite-redeemed', { sessionId: session.id, participantId: participant.id });
      return { participantId: participant.id, sessionId: session.id, therapistId: session.therapistId, deviceId, connectionId };
    },

    async checkIn(conn, displayName) {
      const session = await deps.sessionStore.getSession(conn.sessionId);
      if (!session || session.status === 'ended') throw AppError.sessionEnded();
      const current = await deps.participants.getParticipant(conn.participantId);
      const next = current ? nextStatus(current.status, 'check-in') : null;
      if (!current || !next) throw AppError.invalidInvite();
      const now = deps.now();
      let record: ParticipantRecord | null;
      if (next !== 'waiting') {
        // A reload during the call: the state stays (the table says so), only the name is refreshed.
        record = await applyTransition(deps, 'check-in', conn.participantId, { displayName, connectionId: conn.connectionId, updatedAt: now }, { from: current.status });
      } else {
        // Keep the original place in the queue across reloads, blips and outages. A client shown as
        // `left` after the grace period still holds it (its waitingSince is kept): the server cannot
        // tell a closed page from a front that went down, so only a deliberate Leave (or removal)
        // gives the place up, and whoever comes back with the invite gets it back.
        const keepsPlace = (current.status === 'waiting' || current.status === 'left') && current.waitingSince;
        const waitingSince = keepsPlace ? current.waitingSince! : now;
        record = await applyTransition(
          deps,
          'check-in',
          conn.participantId,
          { displayName, waitingSince, connectionId: conn.connectionId, disconnectedAt: null, updatedAt: now },
          { from: current.status },
        );
      }
      if (!record) throw AppError.conflict({ reason: 'status-changed' });
      publish(session.therapistId, record);
      if (current.status !== record.status) {
        deps.logger.info('client checked in', { event: 'waiting-room.checked-in', sessionId: session.id, participantId: record.id });
      }
      return {
        participantId: record.id,
        sessionId: session.id,
        sessionKind: session.kind,
        mediaUrl: deps.mediaUrl,
        state: record.status === 'held' ? 'held' : isInCall(record.status) ? (record.inCall ? 'in-call' : 'admitted') : 'waiting',
        waitingSince: record.waitingSince ?? now,
        startsAt: session.startsAt,
        lastMessage: session.lastMessage,
      };
    },

    async heartbeat(conn) {
      if (!(await deps.leases.acquireDeviceLease(conn.participantId, conn.deviceId, deps.graceMs))) {
        deps.notifier.closeParticipant(conn.participantId, 'device-replaced');
      }
    },

    async disconnected(conn, atMs = deps.now()) {
      const record = await applyTransition(deps, 'disconnect', conn.participantId, { connectionId: null, disconnectedAt: atMs, updatedAt: deps.now() }, { ifConnectionId: conn.connectionId });
      if (record) {
        if (record.status !== 'invited') publish(conn.therapistId, record);
        await deps.deadlines.addDeadline(conn, atMs + deps.graceMs);
        return;
      }
      // Already recorded as dropped, by an instance that may have died before it told the therapist
      // or set the deadline (a SIGTERM races its own sweep): say it again and keep the deadline.
      // Nothing is done when another connection holds the participant now.
      const current = await deps.participants.getParticipant(conn.participantId);
      if (!current || current.connectionId || !allows(current.status, 'disconnect')) return;
      if (current.status !== 'invited') publish(conn.therapistId, current);
      await deps.deadlines.addDeadline(conn, (current.disconnectedAt ?? atMs) + deps.graceMs);
    },

    async expireIfGone(conn) {
      const current = await deps.participants.getParticipant(conn.participantId);
      if (!current || current.connectionId || !allows(current.status, 'grace-expired')) return;
      if (!current.disconnectedAt) return;
      if (deps.now() - current.disconnectedAt < deps.graceMs) {
        // Swept a little early (clocks of two instances differ): look again when it is due.
        await deps.deadlines.addDeadline(conn, current.disconnectedAt + deps.graceMs);
        return;
      }
      // waitingSince stays: it is the place this client gets back if the page reconnects.
      const record = await applyTransition(deps, 'grace-expired', conn.participantId, { updatedAt: deps.now() }, { ifConnectionId: '' });
      if (record) {
        publish(conn.therapistId, record);
        deps.logger.info('waiting client gone after grace period', { event: 'waiting-room.expired', sessionId: conn.sessionId, participantId: conn.participantId });
      }
    },

    async reaffirm(conn) {
      const record = await applyTransition(
        deps,
        'reaffirm',
        conn.participantId,
        { connectionId: conn.connectionId, disconnectedAt: null, updatedAt: deps.now() },
        { ifConnectionId: '' },
      );
      if (record && record.status !== 'invited') publish(conn.therapistId, record);
    },

    async leave(conn) {
      const record = await applyTransition(deps, 'leave', conn.participantId, { waitingSince: null, admittedAt: null, updatedAt: deps.now() });
      await deps.leases.releaseDeviceLease(conn.participantId, conn.deviceId);
      if (record) publish(conn.therapistId, record);
      await deps.members.drop(conn.sessionId, conn.participantId);
    },

    async reportConnectionCheck(conn, verdict) {
      // Only from the live connection: a socket that was replaced (or a removed invite) changes nothing.
      const record = await applyTransition(
        deps,
        'report-connection-check',
        conn.participantId,
        { connectionCheck: verdict, updatedAt: deps.now() },
        { ifConnectionId: conn.connectionId },
      );
      if (!record) throw AppError.invalidInvite();
      // Before check-in the therapist does not see the person yet; check-in publishes the verdict with them.
      if (record.status !== 'invited') publish(conn.therapistId, record);
      deps.logger.info('connection check reported', { event: 'connection-check.reported', sessionId: conn.sessionId, participantId: conn.participantId, reason: verdict });
    },
  };
}
