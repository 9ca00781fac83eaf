import { HTTP_ROUTES, type CreateSessionBody, type IntakeQuestionnaire, type PublicKeyTag } from '@alcove/shared';
import { callRoute } from './http-client.ts';

export const therapistApi = {
  /** `second` is a 6-digit authenticator code or a recovery code, when the account has two-factor authentication. */
  login: (email: string, password: string, second?: { totpCode: string } | { recoveryCode: string }) =>
    callRoute(HTTP_ROUTES.login, { body: { email, password, ...second } }),
  setUpTotp: () => callRoute(HTTP_ROUTES.setUpTotp, { body: {} }),
  confirmTotp: (totpCode: string) => callRoute(HTTP_ROUTES.confirmTotp, { body: { totpCode } }),
  logout: () => callRoute(HTTP_ROUTES.logout, { body: {} }),
  me: () => callRoute(HTTP_ROUTES.me),
  listSessions: () => callRoute(HTTP_ROUTES.listSessions),
  createSession: (body: CreateSessionBody) => callRoute(HTTP_ROUTES.createSession, { body }),
  getSession: (sessionId: string) => callRoute(HTTP_ROUTES.getSession, { params: { sessionId } }),
  /** Creates the media room if needed and returns the therapist's media token. */
  startSession: (sessionId: string) => callRoute(HTTP_ROUTES.startSession, { params: { sessionId }, body: {} }),
  endSession: (sessionId: string) => callRoute(HTTP_ROUTES.endSession, { params: { sessionId }, body: {} }),
  /** Attaches, replaces or (with null) takes away the session's intake questionnaire, until someone answered it. */
  attachIntake: (sessionId: string, intake: IntakeQuestionnaire | null) =>
    callRoute(HTTP_ROUTES.attachIntake, { params: { sessionId }, body: { intake } }),
  getSealingKey: () => callRoute(HTTP_ROUTES.getSealingKey),
  setSealingKey: (publicKey: PublicKeyTag) => callRoute(HTTP_ROUTES.setSealingKey, { body: { publicKey } }),
  reissueInvite: (sessionId: string, participantId: string) =>
    callRoute(HTTP_ROUTES.reissueInvite, { params: { sessionId, participantId }, body: {} }),
};
