/**
 * What the bench reads about other processes from /proc (Linux): resident
 * memory and CPU time. Read from outside, so measuring never changes what is measured.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicksPerSecond: number | undefined;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'mu').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Resident set size in bytes (VmRSS). */
export function readRssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Peak resident set size in bytes since the process started (VmHWM). */
export function readPeakRssBytes(pid: number): number {
  return statusField(pid, 'VmHWM');
}

/** User + system CPU time the process has used, in milliseconds. */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond();
}

/** The fields of /proc/PID/stat after the command name (which may contain spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Every live process on the machine with its parent, from /proc. */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      parents.set(Number(entry), Number(statFields(Number(entry))[1]));
    } catch {
      // gone between the listing and the read
    }
  }
  return parents;
}

/** The first live child of `parentPid` whose command name matches (e.g. the browser playwright started). */
export function findChildPid(parentPid: number, command: RegExp): number | null {
  for (const [pid, parent] of parentsByPid()) {
    if (parent !== parentPid) continue;
    try {
      if (command.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/**
 * CPU time (ms) of a process and all its descendants, those that already exited included: a
 * reaped child's time is in its parent's cutime/cstime. For browsers, whose renderers come and
 * go with every page.
 */
export function readProcessTreeCpuMs(rootPid: number): number {
  const parents = parentsByPid();
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!tree.has(pid) && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of tree) {
    try {
      const fields = statFields(pid);
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      if (pid === rootPid) throw new Error(`process ${rootPid} is gone`);
    }
  }
  return (ticks * 1000) / ticksPerSecond();
}

/** CPU used by a process between two points, as a share of one core. */
export function createCpuMeter(pid: number): { stop(): { cpuMs: number; wallMs: number; cores: number } } {
  const cpuStart = readCpuMs(pid);
  const wallStart = performance.now();
  return {
    stop() {
      const cpuMs = readCpuMs(pid) - cpuStart;
      const wallMs = performance.now() - wallStart;
      return { cpuMs, wallMs, cores: wallMs > 0 ? cpuMs / wallMs : 0 };
    },
  };
}

/** Busy CPU time of the whole machine (all cores), in milliseconds, from /proc/stat. */
export function readMachineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/u).slice(1).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / ticksPerSecond();
}

/**
 * Where the machine's CPU went while the bench measured: each named process
 * of the bench (the driver itself included) and everything else. On a shared
 * 2-core machine this is the first thing to read when latencies look odd.
 */
export interface MachineShare {
  /** Cores used per named process. */
  cores: Record<string, number>;
  /** Cores used by processes that are not the bench's. */
  otherCores: number;
  machineCores: number;
}

/** A process by pid, or a process with all its descendants (`{ treeOf: pid }`, a browser). */
export type MeteredProcess = number | { treeOf: number };

export function createMachineMeter(processes: Record<string, MeteredProcess>): { stop(): MachineShare } {
  // A process that exited meanwhile (the drain bench's instance) has no end reading: it is left
  // out (NaN) rather than counted as negative, and what it used shows under "others".
  const read = (process: MeteredProcess) => {
    try {
      return typeof process === 'number' ? readCpuMs(process) : readProcessTreeCpuMs(process.treeOf);
    } catch {
      return Number.NaN;
    }
  };
  const start = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, read(pid)]));
  const machineStart = readMachineBusyMs();
  const wallStart = performance.now();
  return {
    stop() {
      const wallMs = performance.now() - wallStart;
      const machineMs = readMachineBusyMs() - machineStart;
      const cores: Record<string, number> = {};
      let ownMs = 0;
      for (const [name, pid] of Object.entries(processes)) {
        const used = read(pid) - (start[name] ?? 0);
        if (!Number.isNaN(used)) ownMs += used;
        cores[name] = used / wallMs;
      }
      return { cores, otherCores: Math.max(0, machineMs - ownMs) / wallMs, machineCores: machineMs / wallMs };
    },
  };
}

export interface TcpCounters {
  /** SYNs the client side had to send again (a lost or refused connection attempt costs ≥ 1 s). */
  synRetransmits: number;
  /** Connections dropped because a listening socket's accept queue was full. */
  listenOverflows: number;
}

/** Machine-wide TCP counters from /proc/net/netstat (all processes, not only the bench's). */
export function readTcpCounters(): TcpCounters {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/u) ?? [];
  const values = lines[1]?.split(/\s+/u) ?? [];
  const field = (name: string) => Number(values[names.indexOf(name)] ?? 0);
  return { synRetransmits: field('TCPSynRetrans'), listenOverflows: field('ListenOverflows') };
}
