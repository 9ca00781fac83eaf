import type { DoctorCheck } from './facts.ts';
import { checkTls } from './tls-check.ts';
import { checkSecurityHeaders } from './security-headers-check.ts';
import { checkWebSocket } from './websocket-check.ts';
import { checkLivekit } from './livekit-check.ts';
import { checkWebhooks } from './webhooks-check.ts';
import { checkRedisPersistence } from './redis-persistence-check.ts';
import { checkClockSkew } from './clock-skew-check.ts';
import { checkSecretStrength } from './secret-strength-check.ts';

/** Every check, in the order an operator would fix things. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  checkTls,
  checkSecurityHeaders,
  checkWebSocket,
  checkLivekit,
  checkWebhooks,
  checkRedisPersistence,
  checkClockSkew,
  checkSecretStrength,
];
