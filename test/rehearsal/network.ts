/**
 * A small internet in Linux network namespaces: one bridge standing in for the internet, the
 * practice's server on it with two public addresses, and four places people join from, each
 * behind its own NAT router (nft masquerade) with its own firewall. Addresses come only from
 * 198.18.0.0/15 (reserved for benchmarking); nothing is connected to the host's own network, so
 * nothing can be routed out of the machine. Every name starts with PREFIX, and leftovers of an
 * earlier run are removed before a new one starts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * ALCOVE_REHEARSAL_PREFIX lets two rehearsals share one machine (a developer's and CI's): each
 * works only on names that start with its own prefix, so neither tears down the other's network.
 */
export const PREFIX = rehearsalPrefix(process.env.ALCOVE_REHEARSAL_PREFIX);

function rehearsalPrefix(value: string | undefined): string {
  if (value === undefined || value === '') return 'alcr-';
  // Interface names are capped at 15 bytes; the longest one made here is PREFIX + "v99a".
  if (!/^[a-z][a-z0-9]{0,7}-$/u.test(value)) throw new Error('ALCOVE_REHEARSAL_PREFIX must be 1-8 lower-case letters or digits followed by "-"');
  return value;
}
const INTERNET = `${PREFIX}net`;
export const SERVER_NS = `${PREFIX}server`;

/** The "public internet": 198.18.0.0/24. */
export const WEB_IP = '198.18.0.10';
export const MEDIA_IP = '198.18.0.11';
export const NAMES = { app: 'app.alcove.test', livekit: 'livekit.alcove.test', turn: 'turn.alcove.test' } as const;

export type Place = 'home' | 'clinic' | 'therapist' | 'blocked';

interface PlaceSpec {
  index: number;
  /** nft rules for traffic from the LAN out to the internet (the router's forward chain). */
  outbound: string;
}

/** What each router lets out. Replies to allowed connections always come back (ct state). */
const PLACES: Record<Place, PlaceSpec> = {
  // A home router: anything goes out, UDP included.
  home: { index: 1, outbound: 'iifname "lan" accept' },
  // A clinic's firewall: only TCP to port 443, no UDP at all.
  clinic: { index: 2, outbound: 'iifname "lan" tcp dport 443 accept' },
  therapist: { index: 3, outbound: 'iifname "lan" accept' },
  // Only the app's https: not LiveKit's media ports, not TURN's address.
  blocked: { index: 4, outbound: `iifname "lan" ip daddr ${WEB_IP} tcp dport 443 accept` },
};

export const placeNs = (place: Place) => `${PREFIX}${place}`;
const routerNs = (place: Place) => `${PREFIX}${place}-gw`;
/** The router's public (WAN) address: what the server sees as the client's address. */
export const publicAddressOf = (place: Place) => `198.18.0.${20 + PLACES[place].index}`;
/** The device's own address on its LAN (198.19.N.0/24). */
export const lanAddressOf = (place: Place) => `198.19.${PLACES[place].index}.2`;

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}
const ip = (...args: string[]) => run('ip', args);
const inNs = (ns: string, command: string, args: string[], input?: string) => run('ip', ['netns', 'exec', ns, command, ...args], input);

/** Kills every process inside our namespaces (only ours: the names are unique to the rehearsal). */
function killNamespaceProcesses(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/u).filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function ourNamespaces(): string[] {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  return listed.split('\n').map((line) => line.split(' ')[0]!).filter((name) => name.startsWith(PREFIX));
}

/** Removes everything a rehearsal creates: processes in its namespaces, the namespaces (and with them their veths, bridge and nft tables), /etc/netns entries. */
export function tearDownNetwork(): void {
  for (const ns of ourNamespaces()) killNamespaceProcesses(ns);
  for (const ns of ourNamespaces()) spawnSync('ip', ['netns', 'del', ns]);
  // A veth whose peer was in a deleted namespace disappears with it; one left in the host (a run
  // killed half-way through creating it) is removed here.
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  for (const match of links.matchAll(/^\d+: ([^:@]+)/gmu)) if (match[1]!.startsWith(PREFIX)) spawnSync('ip', ['link', 'del', match[1]!]);
  if (existsSync('/etc/netns')) {
    for (const entry of readdirSync('/etc/netns')) if (entry.startsWith(PREFIX)) rmSync(join('/etc/netns', entry), { recursive: true, force: true });
  }
}

/** Per-namespace /etc/hosts (ip netns exec bind-mounts /etc/netns/<ns>/*): the rehearsal's DNS. */
function writeNamespaceEtc(ns: string): void {
  const dir = join('/etc/netns', ns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'hosts'),
    ['127.0.0.1 localhost', `${WEB_IP} ${NAMES.app} ${NAMES.livekit}`, `${MEDIA_IP} ${NAMES.turn}`, ''].join('\n'),
  );
  // No name server: every name the rehearsal uses is in hosts, and nothing may be asked outside.
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
}

let vethCount = 0;
/** A veth pair from namespace `a` (named `aName`) to `b` (named `bName`). */
function link(a: string, aName: string, b: string, bName: string): void {
  vethCount += 1;
  const left = `${PREFIX}v${vethCount}a`;
  const right = `${PREFIX}v${vethCount}b`;
  ip('link', 'add', left, 'type', 'veth', 'peer', 'name', right);
  ip('link', 'set', left, 'netns', a);
  ip('link', 'set', right, 'netns', b);
  ip('-n', a, 'link', 'set', left, 'name', aName);
  ip('-n', b, 'link', 'set', right, 'name', bName);
}

function addNs(ns: string): void {
  ip('netns', 'add', ns);
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  writeNamespaceEtc(ns);
}

export function setUpNetwork(places: readonly Place[]): void {
  tearDownNetwork();
  vethCount = 0;
  addNs(INTERNET);
  ip('-n', INTERNET, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', INTERNET, 'link', 'set', 'br0', 'up');

  addNs(SERVER_NS);
  link(SERVER_NS, 'eth0', INTERNET, 'srv');
  ip('-n', INTERNET, 'link', 'set', 'srv', 'master', 'br0');
  ip('-n', INTERNET, 'link', 'set', 'srv', 'up');
  ip('-n', SERVER_NS, 'addr', 'add', `${WEB_IP}/24`, 'dev', 'eth0');
  ip('-n', SERVER_NS, 'addr', 'add', `${MEDIA_IP}/24`, 'dev', 'eth0');
  ip('-n', SERVER_NS, 'link', 'set', 'eth0', 'up');

  for (const place of places) {
    const spec = PLACES[place];
    const gw = routerNs(place);
    const device = placeNs(place);
    addNs(gw);
    addNs(device);
    link(gw, 'wan', INTERNET, `gw${spec.index}`);
    ip('-n', INTERNET, 'link', 'set', `gw${spec.index}`, 'master', 'br0');
    ip('-n', INTERNET, 'link', 'set', `gw${spec.index}`, 'up');
    ip('-n', gw, 'addr', 'add', `${publicAddressOf(place)}/24`, 'dev', 'wan');
    ip('-n', gw, 'link', 'set', 'wan', 'up');
    link(gw, 'lan', device, 'eth0');
    ip('-n', gw, 'addr', 'add', `198.19.${spec.index}.1/24`, 'dev', 'lan');
    ip('-n', gw, 'link', 'set', 'lan', 'up');
    ip('-n', device, 'addr', 'add', `${lanAddressOf(place)}/24`, 'dev', 'eth0');
    ip('-n', device, 'link', 'set', 'eth0', 'up');
    ip('-n', device, 'route', 'add', 'default', 'via', `198.19.${spec.index}.1`);
    inNs(gw, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    inNs(gw, 'nft', ['-f', '-'], routerRules(spec));
  }
}

/** The router: NAT (masquerade) on the WAN side, and the place's outbound policy. */
function routerRules(spec: PlaceSpec): string {
  return `table ip router {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    ${spec.outbound}
  }
}
`;
}

/** Runs a command inside a namespace and returns its output (for curl, the TURN probe, nft). */
export function runIn(ns: string, command: string, args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const result = spawnSync('ip', ['netns', 'exec', ns, command, ...args], { encoding: 'utf8', input, timeout: 30_000 });
  return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
