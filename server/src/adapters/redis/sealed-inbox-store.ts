import { intakeQuestionnaireSchema, sealedEnvelopeSchema, SEALED_PURPOSES, type SealedItem, type SealedPurpose } from '@alcove/shared';
import type { SealedInboxStore } from '../../encryption/sealed-inbox.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

// Both scripts look at the session first: a write that races the session's end must not bring
// back the hash the end just erased.
const PUT_FORM_SCRIPT = defineLuaScript(`
local status = redis.call('HGET', KEYS[2], 'status')
if status ~= 'scheduled' and status ~= 'live' then return 'ended' end
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, 7) == 'intake:' then return 'answered' end
end
if ARGV[1] == '' then redis.call('HDEL', KEYS[1], 'form') else redis.call('HSET', KEYS[1], 'form', ARGV[1]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 'set'
`);

const PUT_ITEM_SCRIPT = defineLuaScript(`
local status = redis.call('HGET', KEYS[2], 'status')
if status ~= 'scheduled' and status ~= 'live' then return 'ended' end
if ARGV[1] == 'intake' and redis.call('HEXISTS', KEYS[1], 'form') == 0 then return 'no-form' end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 'filed'
`);

const envelopeSchemas = { note: sealedEnvelopeSchema('note'), intake: sealedEnvelopeSchema('intake') } as const;

/** One hash per session: the questionnaire (the therapist's text) and sealed envelopes only, never a plaintext answer. */
export function createRedisSealedInboxStore(redis: RedisClient, keys: RedisKeys): SealedInboxStore {
  return {
    async getForm(sessionId) {
      const raw = await redis.hGet(keys.sealedInbox(sessionId), 'form');
      if (!raw) return null;
      const parsed = intakeQuestionnaireSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },

    async putFormIfUnanswered(sessionId, form, expiresAt) {
      const result = await PUT_FORM_SCRIPT.run(redis, {
        keys: [keys.sealedInbox(sessionId), keys.session(sessionId)],
        arguments: [form ? JSON.stringify(form) : '', String(expiresAt)],
      });
      return result as 'set' | 'answered' | 'ended';
    },

    async putItem(sessionId, purpose, item, expiresAt) {
      const result = await PUT_ITEM_SCRIPT.run(redis, {
        keys: [keys.sealedInbox(sessionId), keys.session(sessionId)],
        arguments: [purpose, `${purpose}:${item.participantId}`, JSON.stringify({ envelope: item.envelope, at: item.at }), String(expiresAt)],
      });
      return result as 'filed' | 'no-form' | 'ended';
    },

    async list(sessionId) {
      const hash = await redis.hGetAll(keys.sealedInbox(sessionId));
      const found: Record<SealedPurpose, SealedItem[]> = { note: [], intake: [] };
      for (const [field, value] of Object.entries(hash)) {
        const [purpose, participantId] = field.split(':') as [string, string | undefined];
        if (!participantId || !(SEALED_PURPOSES as readonly string[]).includes(purpose)) continue;
        const kind = purpose as SealedPurpose;
        const stored = JSON.parse(value) as { envelope?: unknown; at?: unknown };
        const envelope = envelopeSchemas[kind].safeParse(stored.envelope);
        if (envelope.success && typeof stored.at === 'number') found[kind].push({ participantId, envelope: envelope.data, at: stored.at });
      }
      return { notes: found.note, intakes: found.intake };
    },
  };
}
