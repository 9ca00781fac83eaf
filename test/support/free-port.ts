import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/**
 * Ports for the servers a test starts (LiveKit, app instances) are drawn at random from below
 * the kernel's ephemeral range. A port the kernel hands out for `bind(0)` is the very kind it
 * hands every outgoing connection and every browser's ICE socket next, so between "free a moment
 * ago" and the server binding it, it can be taken — by this run or another suite on the machine
 * (that took a test's own LiveKit port once, in a run beside two others). Below the range, only
 * another random draw like this one can collide.
 */
const DRAW_LOW_PORT = 20_000;
const DRAW_ATTEMPTS = 50;

function ephemeralLowPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/u).map(Number);
    return low && low > DRAW_LOW_PORT + 1_000 ? low : 0;
  } catch {
    return 0;
  }
}

/**
 * `ALCOVE_PORT_RANGE=7200-7299` keeps every port this draws inside that range, for a machine
 * where several people's runs share loopback and each owns a block of ports.
 */
function ownedRange(): [number, number] | null {
  const spec = process.env.ALCOVE_PORT_RANGE;
  if (spec === undefined || spec === '') return null;
  const match = /^(\d+)-(\d+)$/u.exec(spec);
  const [low, high] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!(low > 0 && high >= low && high < 65_536)) throw new Error('ALCOVE_PORT_RANGE must read LOW-HIGH, e.g. 7200-7299');
  return [low, high];
}

function drawPort(): number {
  const owned = ownedRange();
  if (owned) return owned[0] + Math.floor(Math.random() * (owned[1] - owned[0] + 1));
  const high = ephemeralLowPort();
  // No room below the ephemeral range on this machine: let the kernel choose.
  if (high === 0) return 0;
  return DRAW_LOW_PORT + Math.floor(Math.random() * (high - DRAW_LOW_PORT));
}

function tryTcp(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

function tryUdp(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(null));
    socket.bind(port, '127.0.0.1', () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

async function freePort(kind: string, tryPort: (port: number) => Promise<number | null>): Promise<number> {
  for (let attempt = 0; attempt < DRAW_ATTEMPTS; attempt += 1) {
    const port = await tryPort(drawPort());
    if (port) return port;
  }
  throw new Error(`no free ${kind} port on 127.0.0.1 after ${DRAW_ATTEMPTS} draws`);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export const freeTcpPort = (): Promise<number> => freePort('TCP', tryTcp);

/** A UDP port that was free a moment ago on 127.0.0.1. */
export const freeUdpPort = (): Promise<number> => freePort('UDP', tryUdp);
