/**
 * How many of this instance's clients are waiting, and in how many live sessions they are, read
 * from the stored state (the waiting room changes on whichever instance the therapist uses, so
 * nothing in this process's memory could say it). Run at each metrics scrape: one participant
 * read per connection held here and one session read per distinct session.
 */
import type { ClientConnection } from './client-connection.ts';
import type { ParticipantStore } from '../sessions/participant-records.ts';
import type { SessionStore } from '../sessions/session-records.ts';

export interface ClientCensusDeps {
  connections: () => readonly ClientConnection[];
  participants: Pick<ParticipantStore, 'getParticipant'>;
  sessionStore: Pick<SessionStore, 'getSession'>;
}

export function createClientCensus(deps: ClientCensusDeps): () => Promise<{ waiting: number; liveSessions: number }> {
  return async () => {
    const connections = deps.connections();
    const participants = await Promise.all(connections.map((conn) => deps.participants.getParticipant(conn.participantId)));
    const waiting = participants.filter((p) => p?.status === 'waiting').length;
    const sessionIds = [...new Set(connections.map((conn) => conn.sessionId))];
    const sessions = await Promise.all(sessionIds.map((id) => deps.sessionStore.getSession(id)));
    return { waiting, liveSessions: sessions.filter((s) => s?.status === 'live').length };
  };
}
