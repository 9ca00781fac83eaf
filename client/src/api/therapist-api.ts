import type {
  CreateSessionBody,
  CreateSessionResponse,
  GetSessionResponse,
  InviteLink,
  ListSessionsResponse,
  LoginResponse,
  MediaTokenResponse,
  TotpConfirmResponse,
  TotpSetupResponse,
} from '@alcove/shared';
import { getJson, postJson } from './http-client.ts';

const session = (sessionId: string) => `/api/sessions/${encodeURIComponent(sessionId)}`;

export const therapistApi = {
  /** `second` is a 6-digit authenticator code or a recovery code, when the account has two-factor authentication. */
  login: (email: string, password: string, second?: { totpCode: string } | { recoveryCode: string }) =>
    postJson<LoginResponse>('/api/auth/login', { email, password, ...second }),
  setUpTotp: () => postJson<TotpSetupResponse>('/api/auth/totp/setup'),
  confirmTotp: (totpCode: string) => postJson<TotpConfirmResponse>('/api/auth/totp/confirm', { totpCode }),
  logout: () => postJson<null>('/api/auth/logout'),
  me: () => getJson<LoginResponse>('/api/auth/me'),
  listSessions: () => getJson<ListSessionsResponse>('/api/sessions'),
  createSession: (body: CreateSessionBody) => postJson<CreateSessionResponse>('/api/sessions', body),
  getSession: (sessionId: string) => getJson<GetSessionResponse>(session(sessionId)),
  /** Creates the media room if needed and returns the therapist's media token. */
  startSession: (sessionId: string) => postJson<MediaTokenResponse>(`${session(sessionId)}/start`),
  endSession: (sessionId: string) => postJson<null>(`${session(sessionId)}/end`),
  reissueInvite: (sessionId: string, participantId: string) =>
    postJson<InviteLink>(`${session(sessionId)}/participants/${encodeURIComponent(participantId)}/invite`),
};
