/**
 * The ceiling for token issuance: a bare Express endpoint that parses the same
 * JSON body and signs a LiveKit token with the app's own signer (same
 * AccessToken, same talk-only grants, same TTL), and does nothing else — no
 * Redis, no admission check, no middleware stack.
 */
import express from 'express';
import { HTTP_BODY_MAX_BYTES, HTTP_ROUTES, type MediaTokenResponse } from '@alcove/shared';
import { createLivekitTokenSigner } from '../server/src/adapters/livekit/media-token-signer.ts';
import { createOpaqueId } from '../server/src/identifiers/opaque-id.ts';
import { serveDriver } from './child-runtime.ts';

const { LIVEKIT_API_KEY, LIVEKIT_API_SECRET, LIVEKIT_URL, LIVEKIT_TOKEN_TTL_SECONDS, PORT } = process.env;
if (!LIVEKIT_API_KEY || !LIVEKIT_API_SECRET || !LIVEKIT_URL || !LIVEKIT_TOKEN_TTL_SECONDS || !PORT) {
  throw new Error('ceiling-server: LIVEKIT_API_KEY, LIVEKIT_API_SECRET, LIVEKIT_URL, LIVEKIT_TOKEN_TTL_SECONDS and PORT are required');
}
const ttlSeconds = Number(LIVEKIT_TOKEN_TTL_SECONDS);
const signer = createLivekitTokenSigner({ apiKey: LIVEKIT_API_KEY, apiSecret: LIVEKIT_API_SECRET });
// Ids of the same shape and length as real ones, so the JWTs are the same size.
const identity = createOpaqueId('participant');
const roomName = createOpaqueId('session');

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post(HTTP_ROUTES.joinToken.path, express.json({ limit: HTTP_BODY_MAX_BYTES, strict: true }), async (_req, res) => {
  const token = await signer.sign({ identity, name: 'Client', roomName, ttlSeconds });
  const response: MediaTokenResponse = { token, url: LIVEKIT_URL, identity, expiresAt: Date.now() + ttlSeconds * 1000 };
  res.setHeader('Cache-Control', 'no-store');
  res.json(response);
});

const server = app.listen(Number(PORT), '127.0.0.1', () => {
  serveDriver(Number(PORT), () => new Promise<void>((resolve) => server.close(() => resolve())));
});
