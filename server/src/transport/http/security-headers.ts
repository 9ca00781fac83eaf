import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

const PERMISSIONS_POLICY = 'camera=(self), microphone=(self), display-capture=(), geolocation=(), payment=(), usb=()';

export interface SecurityHeaderOptions {
  livekitUrl: string;
  isSecure: boolean;
}

function helmetOptions({ livekitUrl, isSecure }: SecurityHeaderOptions): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", livekitUrl, livekitUrl.replace(/^ws/u, 'http')],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        ...(isSecure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: isSecure ? { maxAge: 63072000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  };
}

interface HeaderPlan {
  set: [name: string, value: string][];
  remove: string[];
}

/**
 * Helmet run once, at start-up, against a response that only records what it is told: every
 * directive here is a constant (no per-request nonce), so each response gets exactly the same
 * headers. Helmet fails loudly if it would have done anything else (not called next at once,
 * touched anything but headers).
 */
function recordHelmet(options: SecurityHeaderOptions): HeaderPlan {
  const plan: HeaderPlan = { set: [], remove: [] };
  const recorder = {
    setHeader: (name: string, value: string) => void plan.set.push([name, String(value)]),
    removeHeader: (name: string) => void plan.remove.push(name),
  };
  let calledNext = false;
  helmet(helmetOptions(options))({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    calledNext = true;
  });
  if (!calledNext) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  plan.set.push(['Permissions-Policy', PERMISSIONS_POLICY]);
  return plan;
}

/** Puts every response's security headers on a response (Express's or Node's own). */
export type SecurityHeaderWriter = (res: ServerResponse) => void;

/**
 * Every response's security headers (CSP, HSTS over https, no-referrer, nosniff, the
 * cross-origin policies, Permissions-Policy), as helmet would set them, computed once.
 * Why not helmet itself per request: its thirteen middlewares and their `next` chain cost more
 * CPU per media token than the headers do (bench profile, docs/architecture.md); the headers
 * are identical (test/integration/security-headers.test.ts).
 */
export function createSecurityHeaderWriter(options: SecurityHeaderOptions): SecurityHeaderWriter {
  const { set, remove } = recordHelmet(options);
  return (res) => {
    for (const name of remove) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
  };
}

/** The same headers as Express middleware, in front of every route. */
export function createSecurityHeaders(write: SecurityHeaderWriter): RequestHandler {
  return (_req, res, next) => {
    write(res);
    next();
  };
}
