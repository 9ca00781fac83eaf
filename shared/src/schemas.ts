/**
 * Runtime schemas for every inbound payload: HTTP bodies and Socket.io
 * commands. Objects are strict (unknown fields are rejected) and every string
 * is capped. The server validates with these before the domain sees anything;
 * the browser app uses the same ones to validate forms before sending.
 */
import { z } from 'zod';
import { normaliseDisplayName } from './display-name.ts';
import { CONNECTION_VERDICTS, SESSION_KINDS } from './domain.ts';
import { E2EE_KEYRING_SIZE } from './e2ee.ts';
import { KEY_CURVES, PUBLIC_KEY_CHARS } from './key-exchange.ts';
import {
  CUSTOM_QUESTION_ID,
  INTAKE_CUSTOM_QUESTIONS_MAX,
  INTAKE_OPTION_MAX_CHARS,
  INTAKE_OPTIONS_MAX,
  INTAKE_OPTIONS_MIN,
  INTAKE_PROMPT_MAX_CHARS,
  INTAKE_TEMPLATES,
} from './intake-forms.ts';
import { sealedDataLengths, type SealedPurpose } from './sealed-box.ts';
import {
  DEVICE_ID_MAX_CHARS,
  EMAIL_MAX_CHARS,
  OPAQUE_ID_MAX_CHARS,
  PASSWORD_MAX_CHARS,
  SESSION_DURATION_MAX_MINUTES,
  WAITING_ROOM_MESSAGE_MAX_CHARS,
} from './limits.ts';
import { RESOURCE_ENVELOPE_DATA_CHARS } from './resource-seal.ts';

/** Opaque random ids: base64url, bounded. */
export const opaqueIdSchema = z
  .string()
  .min(8)
  .max(OPAQUE_ID_MAX_CHARS)
  .regex(/^[A-Za-z0-9_-]+$/u, 'must be an opaque id');

/** An invite secret as carried in the join URL fragment: 32 random bytes, base64url. */
export const inviteSecretSchema = z
  .string()
  .min(22)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/u, 'must be an invite secret');

export const deviceIdSchema = z
  .string()
  .min(8)
  .max(DEVICE_ID_MAX_CHARS)
  .regex(/^[A-Za-z0-9_-]+$/u, 'must be a device id');

export const displayNameSchema = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const name = normaliseDisplayName(value);
    if (name === null) {
      ctx.addIssue({ code: 'custom', message: 'must be 1–40 characters without control characters' });
      return z.NEVER;
    }
    return name;
  });

// ---------- HTTP bodies ----------

export const totpCodeSchema = z.string().regex(/^\d{6}$/u, 'must be 6 digits');
export const recoveryCodeSchema = z.string().regex(/^[a-z2-7]{5}-?[a-z2-7]{5}$/iu, 'must be a recovery code');

export const loginBodySchema = z.strictObject({
  email: z.string().trim().toLowerCase().max(EMAIL_MAX_CHARS).email(),
  password: z.string().min(1).max(PASSWORD_MAX_CHARS),
  /** Required once the therapist has turned on two-factor authentication (or a recovery code instead). */
  totpCode: totpCodeSchema.optional(),
  recoveryCode: recoveryCodeSchema.optional(),
});
export const totpConfirmBodySchema = z.strictObject({ totpCode: totpCodeSchema });
export type LoginBody = z.input<typeof loginBodySchema>;

/** One line of the therapist's own text: trimmed, capped, no control or bidi-override characters. */
const plainLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.test(text), { message: 'must not contain control characters' });

/** A questionnaire: a template and/or up to ten questions of the therapist's own, with unique ids. */
export const intakeQuestionnaireSchema = z
  .strictObject({
    template: z.enum(INTAKE_TEMPLATES).nullable(),
    questions: z
      .array(
        z.discriminatedUnion('kind', [
          z.strictObject({ id: z.string().regex(CUSTOM_QUESTION_ID), kind: z.literal('text'), prompt: plainLine(INTAKE_PROMPT_MAX_CHARS) }),
          z.strictObject({
            id: z.string().regex(CUSTOM_QUESTION_ID),
            kind: z.literal('choice'),
            prompt: plainLine(INTAKE_PROMPT_MAX_CHARS),
            options: z.array(plainLine(INTAKE_OPTION_MAX_CHARS)).min(INTAKE_OPTIONS_MIN).max(INTAKE_OPTIONS_MAX),
            multiple: z.boolean(),
          }),
        ]),
      )
      .max(INTAKE_CUSTOM_QUESTIONS_MAX)
      .refine((questions) => new Set(questions.map((q) => q.id)).size === questions.length, { message: 'question ids must be unique' }),
  })
  .refine((form) => form.template !== null || form.questions.length > 0, { message: 'a questionnaire needs a template or a question' });

export const createSessionBodySchema = z.strictObject({
  kind: z.enum(SESSION_KINDS),
  /** Epoch ms; omitted means "now". */
  startsAt: z.number().int().positive().optional(),
  durationMinutes: z.number().int().min(5).max(SESSION_DURATION_MAX_MINUTES).optional(),
  /** A sealed intake for the clients to fill in at check-in (needs the therapist's sealing key). */
  intake: intakeQuestionnaireSchema.optional(),
});
/** Attach, replace or (null) take away a session's questionnaire, before anyone answered. */
export const attachIntakeBodySchema = z.strictObject({ intake: intakeQuestionnaireSchema.nullable() });
export type CreateSessionBody = z.input<typeof createSessionBodySchema>;

export const emptyBodySchema = z.strictObject({});

export const participantTokenBodySchema = z.strictObject({
  invite: inviteSecretSchema,
  deviceId: deviceIdSchema,
});
export type ParticipantTokenBody = z.input<typeof participantTokenBodySchema>;

export const sessionIdParamsSchema = z.strictObject({ sessionId: opaqueIdSchema });
export const participantParamsSchema = z.strictObject({
  sessionId: opaqueIdSchema,
  participantId: opaqueIdSchema,
});

// ---------- Socket.io handshake ----------

/** `auth` of a client's Socket.io handshake. The therapist authenticates by cookie and sends `{}`. */
export const participantHandshakeSchema = z.strictObject({
  invite: inviteSecretSchema,
  deviceId: deviceIdSchema,
});
export type ParticipantHandshake = z.input<typeof participantHandshakeSchema>;

// ---------- Socket.io commands ----------

export const checkInSchema = z.strictObject({ displayName: displayNameSchema });
export const leaveWaitingRoomSchema = z.strictObject({});
export const emptyCommandSchema = z.strictObject({});
/** A client's pre-call connection check result: a verdict, nothing else (no addresses, no timings). */
export const connectionReportSchema = z.strictObject({ verdict: z.enum(CONNECTION_VERDICTS) });
export const sessionCommandSchema = z.strictObject({ sessionId: opaqueIdSchema });
/**
 * An admitted client's media token, asked for over its own socket: the session it was admitted to
 * (from `waiting-room:admitted`) and nothing else — the participant, device and invite are the
 * socket's own, never named by the client.
 */
export const requestMediaTokenSchema = z.strictObject({ sessionId: opaqueIdSchema });
export const participantCommandSchema = z.strictObject({
  sessionId: opaqueIdSchema,
  participantId: opaqueIdSchema,
});
export const waitingRoomMessageSchema = z.strictObject({
  sessionId: opaqueIdSchema,
  text: z
    .string()
    .trim()
    .min(1)
    .max(WAITING_ROOM_MESSAGE_MAX_CHARS)
    .refine((text) => !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.test(text), {
      message: 'must not contain control characters',
    }),
});

// ---------- End-to-end keys: public keys and sealed envelopes, nothing else ----------

/** A raw public key, base64url, of exactly its curve's length. */
export const publicKeyTagSchema = z.discriminatedUnion('curve', [
  z.strictObject({ curve: z.literal(KEY_CURVES[0]), key: z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${PUBLIC_KEY_CHARS.X25519}}$`, 'u')) }),
  z.strictObject({ curve: z.literal(KEY_CURVES[1]), key: z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${PUBLIC_KEY_CHARS['P-256']}}$`, 'u')) }),
]);
/** One key per curve: the console announces X25519 and P-256, a client its preferred one. */
export const publicKeysSchema = z
  .array(publicKeyTagSchema)
  .min(1)
  .max(KEY_CURVES.length)
  .refine((keys) => new Set(keys.map((k) => k.curve)).size === keys.length, { message: 'one key per curve' });

const base64Url = (min: number, max: number) => z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+$/u, 'must be base64url');
/** Largest sealed content: the 32-byte media key, a 9-character confirmed code and the 16-byte GCM tag. */
export const KEY_ENVELOPE_DATA_MAX_CHARS = 80;
/** A wrapped media key (`wrapMediaKey`): opaque to the server, which checks only its shape and size. */
export const keyEnvelopeSchema = z.strictObject({
  v: z.literal(1),
  keyIndex: z.number().int().min(0).max(E2EE_KEYRING_SIZE - 1),
  from: publicKeyTagSchema,
  to: publicKeyTagSchema,
  iv: base64Url(16, 16),
  data: base64Url(64, KEY_ENVELOPE_DATA_MAX_CHARS),
});

/** A sealed take-home list (`sealResourceList`): opaque here; exactly one size, so its shape and length are all there is to check. */
export const resourceEnvelopeSchema = z.strictObject({
  v: z.literal(1),
  from: publicKeyTagSchema,
  to: publicKeyTagSchema,
  iv: base64Url(16, 16),
  data: base64Url(RESOURCE_ENVELOPE_DATA_CHARS, RESOURCE_ENVELOPE_DATA_CHARS),
});
export const sendResourcesSchema = z.strictObject({
  sessionId: opaqueIdSchema,
  participantId: opaqueIdSchema,
  envelope: resourceEnvelopeSchema,
});

export const announceCallKeySchema = z.strictObject({ publicKeys: publicKeysSchema });
export const announceSessionKeySchema = z.strictObject({ sessionId: opaqueIdSchema, publicKeys: publicKeysSchema });
export const sendKeyEnvelopeSchema = z.strictObject({
  sessionId: opaqueIdSchema,
  participantId: opaqueIdSchema,
  envelope: keyEnvelopeSchema,
});
export const activateKeySchema = z.strictObject({
  sessionId: opaqueIdSchema,
  keyIndex: z.number().int().min(0).max(E2EE_KEYRING_SIZE - 1),
});

// ---------- Sealed notes and intake: envelopes the server stores but cannot open ----------

/**
 * A sealed envelope of one purpose: its recipient must be a sealing public key, its ephemeral key
 * on the same curve, and its data exactly one of the padded sizes (a note is always one size).
 */
export const sealedEnvelopeSchema = (purpose: SealedPurpose) => {
  const lengths = sealedDataLengths(purpose);
  return z
    .strictObject({
      v: z.literal(1),
      purpose: z.literal(purpose),
      to: publicKeyTagSchema,
      from: publicKeyTagSchema,
      iv: base64Url(16, 16),
      data: base64Url(Math.min(...lengths), Math.max(...lengths)).refine((data) => lengths.includes(data.length), { message: 'not a sealed size' }),
    })
    .refine((envelope) => envelope.to.curve === envelope.from.curve, { message: 'one curve' });
};
/** The therapist's sealing public key, made in the console. */
export const setSealingKeyBodySchema = z.strictObject({ publicKey: publicKeyTagSchema });
/** A client's private note, sealed; the server files it under the sender's own participant id, never one the client names. */
export const sendPrivateNoteSchema = z.strictObject({ envelope: sealedEnvelopeSchema('note') });
export const submitIntakeSchema = z.strictObject({ envelope: sealedEnvelopeSchema('intake') });

// ---------- Socket.io acks of facts ----------

/** A browser's answer to `call:key-sent`: the key-ring slot it now holds. */
export const keyReadyAckSchema = z.strictObject({
  keyIndex: z.number().int().min(0).max(E2EE_KEYRING_SIZE - 1),
});
