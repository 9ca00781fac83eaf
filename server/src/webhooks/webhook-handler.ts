import type { Logger } from '../observability/logger.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import type { PresenceNotifier } from '../presence/presence-notifier.ts';
import { allows } from '../presence/participant-lifecycle.ts';
import { toPresence } from '../presence/presence-view.ts';
import { applyTransition } from '../sessions/participant-transitions.ts';
import type { MediaRooms } from '../sessions/media-rooms.ts';
import type { ParticipantStore } from '../sessions/participant-records.ts';
import type { SessionStore } from '../sessions/session-records.ts';
import type { SessionService } from '../sessions/session-service.ts';

/** A verified LiveKit webhook, reduced to what Alcove acts on. */
export interface MediaEvent {
  id: string;
  event: string;
  roomName: string | null;
  participantIdentity: string | null;
  egressId: string | null;
  /** For track_published: whether the track is end-to-end encrypted. */
  trackEncrypted: boolean | null;
}

/** Deduplicates deliveries: LiveKit retries with the same id. */
export interface WebhookLedger {
  /** True the first time an id is seen. */
  claim(webhookId: string): Promise<boolean>;
}

export interface WebhookHandlerDeps {
  sessionStore: SessionStore;
  participants: ParticipantStore;
  sessions: SessionService;
  rooms: MediaRooms;
  notifier: PresenceNotifier;
  ledger: WebhookLedger;
  logger: Logger;
  audit: AuditTrail;
  now: () => number;
}

export type WebhookHandler = (event: MediaEvent) => Promise<'handled' | 'duplicate'>;

/** Checks a webhook's signature over its raw body and reduces it to a MediaEvent (adapters/livekit). */
export type WebhookVerifier = (rawBody: string, authorization: string | undefined) => Promise<MediaEvent>;

/**
 * Webhooks are hints: late, retried, ordered only within a room. Each handler
 * re-reads state and only ever tightens access (remove, stop, end).
 */
export function createWebhookHandler(deps: WebhookHandlerDeps): WebhookHandler {
  /**
   * Removes a participant without waiting for LiveKit's answer: LiveKit delivers a
   * room's webhooks while that room is busy, and a removal awaited inside the
   * webhook request can stall until the delivery times out.
   */
  function evict(roomName: string, identity: string): void {
    deps.rooms.removeParticipant(roomName, identity).catch((error: Error) => {
      deps.logger.error('could not remove participant from media room', { sessionId: roomName, errorName: error.name });
    });
  }

  async function onJoined(roomName: string, identity: string): Promise<void> {
    const session = await deps.sessionStore.getSession(roomName);
    if (!session) return;
    if (identity === session.hostIdentity) return;
    const participant = await deps.participants.getParticipant(identity);
    const allowed = session.status === 'live' && participant?.sessionId === session.id && allows(participant.status, 'media-joined');
    if (!allowed) {
      // e.g. a removed person reconnecting with a token issued before removal.
      evict(roomName, identity);
      deps.logger.security('participant without admission removed from media room', {
        event: 'security.unadmitted-join',
        sessionId: session.id,
        participantId: participant ? identity : null,
      });
      deps.audit.record('unadmitted-join-removed', { sessionId: session.id, participantId: participant ? identity : undefined });
      return;
    }
    const record = await applyTransition(deps, 'media-joined', identity, { inCall: true, updatedAt: deps.now() });
    if (record) deps.notifier.presenceChanged(session.therapistId, session.id, toPresence(record));
  }

  async function onLeft(roomName: string, identity: string): Promise<void> {
    const session = await deps.sessionStore.getSession(roomName);
    if (!session || identity === session.hostIdentity) return;
    const record = await applyTransition(deps, 'media-left', identity, { inCall: false, updatedAt: deps.now() });
    if (record && record.sessionId === session.id) deps.notifier.presenceChanged(session.therapistId, session.id, toPresence(record));
  }

  async function onEgress(event: MediaEvent): Promise<void> {
    // Alcove never records. Any egress is an incident: stop it and say so.
    deps.logger.security('recording attempt blocked', {
      event: 'security.egress-blocked',
      webhookEvent: event.event,
      sessionId: event.roomName,
      egressId: event.egressId,
    });
    deps.audit.record('recording-blocked', { sessionId: event.roomName ?? undefined, reason: event.event });
    if (event.egressId && event.event !== 'egress_ended') {
      try {
        await deps.rooms.stopEgress(event.egressId);
      } catch (error) {
        deps.logger.security('could not stop egress', { event: 'security.egress-stop-failed', egressId: event.egressId, errorName: (error as Error).name });
      }
    }
  }

  async function onTrackPublished(roomName: string, identity: string, encrypted: boolean | null): Promise<void> {
    if (encrypted !== false) return;
    const session = await deps.sessionStore.getSession(roomName);
    if (!session) return;
    // End-to-end encryption is not optional: a plaintext track means a broken or hostile client.
    evict(roomName, identity);
    const isHost = identity === session.hostIdentity;
    deps.logger.security('unencrypted track: participant removed', {
      event: 'security.unencrypted-track',
      sessionId: session.id,
      participantId: isHost ? null : identity,
      reason: isHost ? 'host' : 'client',
    });
    deps.audit.record('encryption-failure', {
      sessionId: session.id,
      therapistId: isHost ? session.therapistId : undefined,
      participantId: isHost ? undefined : identity,
      reason: 'unencrypted-track',
    });
  }

  return async (event) => {
    if (!(await deps.ledger.claim(event.id))) return 'duplicate';
    deps.logger.debug('media webhook', { webhookEvent: event.event, webhookId: event.id, sessionId: event.roomName });
    if (event.event.startsWith('egress_')) {
      await onEgress(event);
      return 'handled';
    }
    if (!event.roomName) return 'handled';
    switch (event.event) {
      case 'participant_joined':
        if (event.participantIdentity) await onJoined(event.roomName, event.participantIdentity);
        break;
      case 'participant_left':
      case 'participant_connection_aborted':
        if (event.participantIdentity) await onLeft(event.roomName, event.participantIdentity);
        break;
      case 'track_published':
        if (event.participantIdentity) await onTrackPublished(event.roomName, event.participantIdentity, event.trackEncrypted);
        break;
      case 'room_finished':
        await deps.sessions.roomFinished(event.roomName);
        break;
      default:
        break;
    }
    return 'handled';
  };
}
