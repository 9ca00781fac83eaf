import { Encryption_Type } from '@livekit/protocol';
import { WebhookReceiver } from 'livekit-server-sdk';
import { AppError } from '../../app-error.ts';
import type { WebhookVerifier } from '../../webhooks/webhook-handler.ts';

/** Checks the signature (JWT whose sha256 claim is the body hash) and reduces the event. */
export function createLivekitWebhookVerifier(options: { apiKey: string; apiSecret: string }): WebhookVerifier {
  const receiver = new WebhookReceiver(options.apiKey, options.apiSecret);
  return async (rawBody, authorization) => {
    if (!authorization) throw AppError.unauthorized({ reason: 'no-signature' });
    let event;
    try {
      event = await receiver.receive(rawBody, authorization);
    } catch {
      throw AppError.unauthorized({ reason: 'bad-signature' });
    }
    if (!event.id || !event.event) throw AppError.badRequest({ reason: 'webhook-fields' });
    return {
      id: event.id,
      event: event.event,
      roomName: event.room?.name ?? event.egressInfo?.roomName ?? null,
      participantIdentity: event.participant?.identity ?? null,
      egressId: event.egressInfo?.egressId ?? null,
      trackEncrypted: event.track ? event.track.encryption !== Encryption_Type.NONE : null,
    };
  };
}
