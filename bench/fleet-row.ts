/**
 * End to end: the fleet simulator (scripts/fleet.ts, another engineer's) with N installations
 * against the bench's local cloud, its printed summary parsed: errors (every 4xx but a followed
 * 421, every 5xx and unreachable) and the licence poll's p99.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from './stats';

export interface FleetMeasures {
  ran: boolean;
  reason?: string;
  installations: number;
  durationSeconds: number;
  errors: number;
  pollP99Ms: number | null;
  pollP50Ms: number | null;
  pollRequests: number;
  routes: FleetRoute[];
  exitCode: number | null;
}

export interface FleetRoute {
  route: string;
  requests: number;
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const POLL_ROUTE = 'GET /v1/installations/{id}/license';

/** Parses the markdown table the fleet simulator prints at the end. */
export function parseFleetSummary(stdout: string): FleetRoute[] {
  const routes: FleetRoute[] = [];
  for (const line of stdout.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 7 || cells[0] === 'route' || /^-+$/.test(cells[0]!)) continue;
    const statuses: Record<string, number> = {};
    for (const part of cells[2]!.split(/\s+/).filter(Boolean)) {
      const [status, n] = part.split('×');
      if (status && n) statuses[status] = Number(n);
    }
    routes.push({
      route: cells[0]!,
      requests: Number(cells[1]),
      statuses,
      p50: Number(cells[3]),
      p90: Number(cells[4]),
      p99: Number(cells[5]),
      max: Number(cells[6]),
    });
  }
  return routes;
}

/** Errors: 5xx, unreachable, and 4xx other than a 421 the SDK follows. */
export function countErrors(routes: readonly FleetRoute[]): number {
  let errors = 0;
  for (const r of routes) {
    for (const [status, n] of Object.entries(r.statuses)) {
      if (status === '421') continue;
      if (!/^[23]\d\d$/.test(status)) errors += n;
    }
  }
  return errors;
}

export async function runFleet(opts: {
  repoRoot: string;
  cloudJson: string;
  installations: number;
  durationSeconds: number;
  log: (line: string) => void;
}): Promise<FleetMeasures> {
  const script = join(opts.repoRoot, 'scripts/fleet.ts');
  const base = {
    installations: opts.installations,
    durationSeconds: opts.durationSeconds,
    errors: 0,
    pollP99Ms: null,
    pollP50Ms: null,
    pollRequests: 0,
    routes: [],
    exitCode: null,
  };
  if (!existsSync(script)) return { ...base, ran: false, reason: 'fleet simulator missing' };
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      '--installations',
      String(opts.installations),
      '--duration',
      String(opts.durationSeconds),
      '--cloud',
      opts.cloudJson,
    ],
    { cwd: opts.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = chunk.toString().trim().split('\n');
    for (const l of lines) if (l.startsWith('[') || l.startsWith('activated')) opts.log(`fleet: ${l}`);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((done) => child.on('close', done));
  const routes = parseFleetSummary(stdout);
  if (routes.length === 0) {
    return {
      ...base,
      ran: false,
      exitCode,
      reason: `no summary (exit ${exitCode}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    };
  }
  const poll = routes.find((r) => r.route === POLL_ROUTE);
  return {
    ...base,
    ran: true,
    exitCode,
    routes,
    errors: countErrors(routes),
    pollP99Ms: poll?.p99 ?? null,
    pollP50Ms: poll?.p50 ?? null,
    pollRequests: poll?.requests ?? 0,
  };
}

export function fleetRows(m: FleetMeasures): Row[] {
  const why = m.ran ? '' : `not run: ${m.reason}`;
  return [
    {
      name: `end to end: fleet of ${m.installations}, errors`,
      value: m.ran ? m.errors : null,
      unit: '',
      goal: { op: '<=', value: 0, unit: '' },
      detail:
        why ||
        `${m.routes.reduce((a, r) => a + r.requests, 0)} requests in ${m.durationSeconds} s of cycles (+ activation)`,
    },
    {
      name: `end to end: fleet of ${m.installations}, poll p99`,
      value: m.ran ? m.pollP99Ms : null,
      unit: ' ms',
      goal: { op: '<=', value: 50, unit: ' ms' },
      detail: why || `${m.pollRequests} polls, p50 ${m.pollP50Ms} ms`,
    },
  ];
}
