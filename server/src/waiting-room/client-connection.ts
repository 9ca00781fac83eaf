/** Who a client connection is, once its invite has been accepted. */
export interface ClientConnection {
  participantId: string;
  sessionId: string;
  therapistId: string;
  deviceId: string;
  connectionId: string;
}

