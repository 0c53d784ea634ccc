/**
 * Where the fleet's p99 goes: the CPU the local cloud spends (this process, which hosts it with its
 * function sandboxes, kinesalite and s3rver as threads, plus its child processes such as DynamoDB
 * Local's JVM) and the machine's, read from /proc before and after the fleet's cycles. Linux only;
 * elsewhere `sample` answers undefined and the row says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** USER_HZ: /proc counts CPU time in these ticks (100 on every Linux the bench runs on). */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, in ticks */
  readonly ticks: number;
}

/** `/proc/<pid>/stat`: fields after the command (which may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // after the command: state(0) ppid(1) … utime(11) stime(12)
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  const pid = Number(text.slice(0, open).trim());
  if (![pid, ppid, ticks].every(Number.isFinite)) return undefined;
  return { pid, ppid, ticks };
}

/** `/proc/stat`'s first line: ticks busy (all but idle and iowait) and in all, over every core. */
export function parseMachineStat(text: string): { busy: number; total: number } | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is inside user already)
  const total = n.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
}

/** The process `root` and its descendants, without `exclude` and its descendants. */
export function processTree(procs: readonly ProcStat[], root: number, exclude?: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of procs) (children.get(p.ppid) ?? children.set(p.ppid, []).get(p.ppid)!).push(p);
  const out: ProcStat[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (child.pid === exclude) continue;
      out.push(child);
      walk(child.pid);
    }
  };
  const self = procs.find((p) => p.pid === root);
  if (self) out.push(self);
  walk(root);
  return out;
}

export interface CpuSample {
  readonly atMs: number;
  /** the local cloud's CPU so far, ms (this process and its descendants but the fleet simulator) */
  readonly cloudMs: number;
  readonly machineBusyMs: number;
  readonly machineTotalMs: number;
}

function readProcs(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (stat) out.push(stat);
    } catch {
      // ended between the listing and the read
    }
  }
  return out;
}

/** One reading; `simulatorPid`'s subtree is the client's, not the cloud's. */
export function sample(simulatorPid?: number): CpuSample | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tree = processTree(readProcs(), process.pid, simulatorPid);
    const machine = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    if (!machine) return undefined;
    const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
    return {
      atMs: performance.now(),
      cloudMs: ms(tree.reduce((n, p) => n + p.ticks, 0)),
      machineBusyMs: ms(machine.busy),
      machineTotalMs: ms(machine.total),
    };
  } catch {
    return undefined;
  }
}

export interface CpuPerRequest {
  readonly windowSeconds: number;
  /** the agent's requests (polls and posts) answered in the window */
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** the local cloud's CPU per request, ms: its handlers, router, emulators and the stream consumers behind them */
  readonly cloudCpuMsPerRequest: number;
  /** the local cloud's CPU over the window, in cores */
  readonly cloudCores: number;
  /** the fleet simulator's (the client's) CPU over the window, in cores, when it reported it */
  readonly clientCores: number | null;
  /** every process's CPU over the window, in cores (the other helpers' work included) */
  readonly machineBusyCores: number;
  readonly cores: number;
}

/** Per request and in cores, between two samples. */
export function cpuPerRequest(
  before: CpuSample,
  after: CpuSample,
  requests: number,
  clientCpuMs: number | null,
  cores = cpus().length,
): CpuPerRequest {
  const windowMs = Math.max(1, after.atMs - before.atMs);
  const cloudMs = after.cloudMs - before.cloudMs;
  const machineTotal = Math.max(1, after.machineTotalMs - before.machineTotalMs);
  return {
    windowSeconds: windowMs / 1000,
    requests,
    requestsPerSecond: (requests * 1000) / windowMs,
    cloudCpuMsPerRequest: requests > 0 ? cloudMs / requests : 0,
    cloudCores: cloudMs / windowMs,
    clientCores: clientCpuMs === null ? null : clientCpuMs / windowMs,
    // /proc/stat's totals add up every core: busy share × cores
    machineBusyCores: ((after.machineBusyMs - before.machineBusyMs) / machineTotal) * cores,
    cores,
  };
}

/**
 * "2.1 ms CPU per request × 150 requests/s = 0.32 cores of 2 (machine busy 1.9 of 2)"; with the
 * cycles offered and served, what serving every cycle would ask of the cores at the same CPU a cycle.
 */
export function describeCpu(c: CpuPerRequest, cycles?: { offeredPerS: number; servedPerS: number }): string {
  const client = c.clientCores === null ? '' : `, the simulator ${c.clientCores.toFixed(2)}`;
  const asked =
    cycles && cycles.servedPerS > 0 && cycles.servedPerS < cycles.offeredPerS
      ? `; every cycle offered would ask ${(((c.cloudCores + (c.clientCores ?? 0)) * cycles.offeredPerS) / cycles.servedPerS).toFixed(2)} of ${c.cores}`
      : '';
  return `local cloud ${c.cloudCpuMsPerRequest.toFixed(1)} ms CPU per request × ${c.requestsPerSecond.toFixed(0)} requests/s = ${c.cloudCores.toFixed(2)} cores of ${c.cores}${client}; machine busy ${c.machineBusyCores.toFixed(2)} of ${c.cores}${c.machineBusyCores >= c.cores * 0.9 ? ' (saturated)' : ''}${asked}`;
}
