/**
 * The ceiling for token issuance: a bare endpoint that parses the same JSON body
 * and signs a LiveKit token with the app's own signer (same AccessToken, same
 * talk-only grants, same TTL), and does nothing else — no Redis, no admission
 * check, no middleware stack. Two of them run: on one Express route (the
 * ceiling issue 15 set its goal against) and on Node's own HTTP server
 * (`CEILING_HTTP=node`, the floor: signing and nothing but the HTTP exchange).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { HTTP_BODY_MAX_BYTES, HTTP_ROUTES, type MediaTokenResponse } from '@alcove/shared';
import { createLivekitTokenSigner } from '../server/src/adapters/livekit/media-token-signer.ts';
import { createOpaqueId } from '../server/src/identifiers/opaque-id.ts';
import { serveDriver } from './child-runtime.ts';

const { LIVEKIT_API_KEY, LIVEKIT_API_SECRET, LIVEKIT_URL, LIVEKIT_TOKEN_TTL_SECONDS, PORT, CEILING_HTTP = 'express' } = process.env;
if (!LIVEKIT_API_KEY || !LIVEKIT_API_SECRET || !LIVEKIT_URL || !LIVEKIT_TOKEN_TTL_SECONDS || !PORT) {
  throw new Error('ceiling-server: LIVEKIT_API_KEY, LIVEKIT_API_SECRET, LIVEKIT_URL, LIVEKIT_TOKEN_TTL_SECONDS and PORT are required');
}
const ttlSeconds = Number(LIVEKIT_TOKEN_TTL_SECONDS);
const signer = createLivekitTokenSigner({ apiKey: LIVEKIT_API_KEY, apiSecret: LIVEKIT_API_SECRET });
// Ids of the same shape and length as real ones, so the JWTs are the same size.
const identity = createOpaqueId('participant');
const roomName = createOpaqueId('session');

const livekitUrl = LIVEKIT_URL;

async function signed(): Promise<MediaTokenResponse> {
  const token = await signer.sign({ identity, name: 'Client', roomName, ttlSeconds });
  return { token, url: livekitUrl, identity, expiresAt: Date.now() + ttlSeconds * 1000 };
}

function expressCeiling() {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post(HTTP_ROUTES.joinToken.path, express.json({ limit: HTTP_BODY_MAX_BYTES, strict: true }), async (_req, res) => {
    const response = await signed();
    res.setHeader('Cache-Control', 'no-store');
    res.json(response);
  });
  return createServer(app);
}

/** The body read and parsed (it is not looked at, as on the Express route), then the same answer. */
function nodeFloor() {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== HTTP_ROUTES.joinToken.path) return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const payload = JSON.stringify(await signed());
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(payload));
      res.end(payload);
    });
  });
}

if (CEILING_HTTP !== 'express' && CEILING_HTTP !== 'node') throw new Error('ceiling-server: CEILING_HTTP is express or node');
const server = CEILING_HTTP === 'node' ? nodeFloor() : expressCeiling();
server.listen(Number(PORT), '127.0.0.1', () => {
  serveDriver(Number(PORT), () => new Promise<void>((resolve) => server.close(() => resolve())));
});
