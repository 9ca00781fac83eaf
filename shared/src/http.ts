/** HTTP response bodies. Request bodies are the `z.input` types in schemas.ts. */
import type { ParticipantPresence, SessionDetail, SessionKind, SessionSummary } from './domain.ts';
import type { IntakeQuestionnaire } from './intake-forms.ts';
import type { PublicKeyTag } from './key-exchange.ts';

export interface TherapistProfile {
  therapistId: string;
  displayName: string;
  twoFactorEnabled: boolean;
}

export interface TotpSetupResponse {
  /** Base32 secret for manual entry in an authenticator app. */
  secret: string;
  /** `otpauth://` URI, for a QR code. */
  otpauthUri: string;
}

export interface TotpConfirmResponse {
  /** Single-use recovery codes, shown once. */
  recoveryCodes: string[];
}

export interface LoginResponse {
  therapist: TherapistProfile;
  /** Epoch ms when the login expires at the latest (absolute limit). */
  expiresAt: number;
}

export interface InviteLink {
  participantId: string;
  slot: number;
  /** `${PUBLIC_URL}/join#<secret>`: the secret travels only in the fragment. */
  joinUrl: string;
  expiresAt: number;
}

export interface CreateSessionResponse {
  session: SessionSummary & { kind: SessionKind };
  invites: InviteLink[];
}

export interface ListSessionsResponse {
  sessions: SessionSummary[];
}

export type GetSessionResponse = SessionDetail;

/**
 * A throw-away LiveKit room for the pre-call connection check: its own random name, an identity
 * that names nobody, no permission to publish or subscribe, valid for seconds.
 */
export interface ConnectionCheckResponse {
  token: string;
  url: string;
  expiresAt: number;
}

export interface MediaTokenResponse {
  /** LiveKit access token (JWT); short-lived, talk-only grants. */
  token: string;
  /** LiveKit signalling URL the browser connects to. */
  url: string;
  expiresAt: number;
  identity: string;
}

export type ParticipantPresenceResponse = ParticipantPresence;

/** The therapist's sealing public key as the server holds it (never the private key); null until the console made one. */
export interface SealingKeyResponse {
  sealingKey: { publicKey: PublicKeyTag; createdAt: number } | null;
}

export interface IntakeResponse {
  intake: IntakeQuestionnaire | null;
}
