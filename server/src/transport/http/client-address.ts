/**
 * The client's address as the HTTP and socket transports see it. Behind reverse
 * proxies it is the right-most X-Forwarded-For hop that is not a trusted proxy
 * (proxy-addr, the library Express itself uses), so a client can prepend any
 * address it likes and still not choose whose rate limits or socket slots it uses.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../../config.ts';

export type TrustFunction = (address: string, hop: number) => boolean;

export interface ClientAddress {
  /** For Express's `trust proxy` setting, so `req.ip` agrees with `of()`. */
  trust: TrustFunction;
  of(request: IncomingMessage): string;
}

export function createClientAddress(trustProxy: TrustProxy): ClientAddress {
  let trust: TrustFunction;
  if (trustProxy === false) trust = () => false;
  else if ('hops' in trustProxy) {
    const { hops } = trustProxy;
    // hop 0 is the socket peer; trusting `hops` hops reads that many entries from the right.
    trust = (_address, hop) => hop < hops;
  } else trust = proxyaddr.compile([...trustProxy.subnets]);
  return {
    trust,
    of(request) {
      // A request whose socket is already gone has no peer address; it is counted under one bucket.
      if (!request.socket?.remoteAddress) return 'unknown';
      return proxyaddr(request, trust);
    },
  };
}
