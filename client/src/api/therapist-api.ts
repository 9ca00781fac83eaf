import type {
  CreateSessionBody,
  CreateSessionResponse,
  GetSessionResponse,
  InviteLink,
  ListSessionsResponse,
  LoginResponse,
  MediaTokenResponse,
} from '@alcove/shared';
import { getJson, postJson } from './http-client.ts';

const session = (sessionId: string) => `/api/sessions/${encodeURIComponent(sessionId)}`;

export const therapistApi = {
  login: (email: string, password: string) => postJson<LoginResponse>('/api/auth/login', { email, password }),
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
