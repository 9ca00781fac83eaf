import type { Logger } from '../observability/logger.ts';
import type { Notifier } from '../presence/notifier.ts';
import { toPresence } from '../presence/presence-view.ts';
import type { MediaRooms } from '../sessions/media-rooms.ts';
import type { SessionStore } from '../sessions/session-records.ts';
import type { SessionService } from '../sessions/session-service.ts';

/** A verified LiveKit webhook, reduced to what Alcove acts on. */
export interface MediaEvent {
  id: string;
  event: string;
  roomName: string | null;
  participantIdentity: string | null;
  egressId: string | null;
}

/** Deduplicates deliveries: LiveKit retries with the same id. */
export interface WebhookLedger {
  /** True the first time an id is seen. */
  claim(webhookId: string): Promise<boolean>;
}

export interface WebhookHandlerDeps {
  store: SessionStore;
  sessions: SessionService;
  rooms: MediaRooms;
  notifier: Notifier;
  ledger: WebhookLedger;
  logger: Logger;
  now: () => number;
}

export type WebhookHandler = (event: MediaEvent) => Promise<'handled' | 'duplicate'>;

/**
 * Webhooks are hints: late, retried, ordered only within a room. Each handler
 * re-reads state and only ever tightens access (remove, stop, end).
 */
export function createWebhookHandler(deps: WebhookHandlerDeps): WebhookHandler {
  async function onJoined(roomName: string, identity: string): Promise<void> {
    const session = await deps.store.getSession(roomName);
    if (!session) return;
    if (identity === session.hostIdentity) return;
    const participant = await deps.store.getParticipant(identity);
    const allowed = session.status === 'live' && participant?.sessionId === session.id && participant.status === 'admitted';
    if (!allowed) {
      // e.g. a removed person reconnecting with a token issued before removal.
      await deps.rooms.removeParticipant(roomName, identity);
      deps.logger.security('participant without admission removed from media room', {
        event: 'security.unadmitted-join',
        sessionId: session.id,
        participantId: participant ? identity : null,
      });
      return;
    }
    const record = await deps.store.transitionParticipant(identity, ['admitted'], { inCall: true, updatedAt: deps.now() });
    if (record) deps.notifier.presenceChanged(session.therapistId, session.id, toPresence(record));
  }

  async function onLeft(roomName: string, identity: string): Promise<void> {
    const session = await deps.store.getSession(roomName);
    if (!session || identity === session.hostIdentity) return;
    const record = await deps.store.transitionParticipant(identity, ['admitted', 'waiting'], { inCall: false, updatedAt: deps.now() });
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
    if (event.egressId && event.event !== 'egress_ended') {
      try {
        await deps.rooms.stopEgress(event.egressId);
      } catch (error) {
        deps.logger.security('could not stop egress', { event: 'security.egress-stop-failed', egressId: event.egressId, errorName: (error as Error).name });
      }
    }
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
      case 'room_finished':
        await deps.sessions.endWithoutOwner(event.roomName);
        break;
      default:
        break;
    }
    return 'handled';
  };
}
