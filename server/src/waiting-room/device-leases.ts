/**
 * The one-device lease: an invite is in use on one device at a time. Owned by the waiting
 * room, which takes and renews it; the token service only reads its holder. Implemented on Redis.
 */
export interface DeviceLeaseStore {
  /** Takes or renews the one-device lease; false if another device holds it. */
  acquireDeviceLease(participantId: string, deviceId: string, ttlMs: number): Promise<boolean>;
  releaseDeviceLease(participantId: string, deviceId: string): Promise<void>;
  getDeviceLeaseHolder(participantId: string): Promise<string | null>;
}
