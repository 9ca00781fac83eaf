import type { DeviceLeaseStore } from '../../waiting-room/device-leases.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

const ACQUIRE_LEASE_SCRIPT = defineLuaScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

const RELEASE_LEASE_SCRIPT = defineLuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export function createRedisDeviceLeaseStore(redis: RedisClient, keys: RedisKeys): DeviceLeaseStore {
  return {
    async acquireDeviceLease(participantId, deviceId, ttlMs) {
      const result = await ACQUIRE_LEASE_SCRIPT.run(redis, {
        keys: [keys.deviceLease(participantId)],
        arguments: [deviceId, String(ttlMs)],
      });
      return result === 1;
    },

    async releaseDeviceLease(participantId, deviceId) {
      await RELEASE_LEASE_SCRIPT.run(redis, { keys: [keys.deviceLease(participantId)], arguments: [deviceId] });
    },

    async getDeviceLeaseHolder(participantId) {
      return redis.get(keys.deviceLease(participantId));
    },
  };
}
