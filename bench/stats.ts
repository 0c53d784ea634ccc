/**
 * The pure part of the bench: medians, ABAB ratios, verdicts against goals, and the table. No I/O,
 * so `npm test` covers it (test/unit/bench).
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100), the same definition the fleet simulator uses. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * The ratio of two paired series measured alternately (A B A B …): the median of the per-pair
 * ratios, so a slow phase of the machine slows both members of a pair and cancels out.
 */
export function pairedRatio(subject: readonly number[], floor: readonly number[]): number {
  const n = Math.min(subject.length, floor.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) if (floor[i]! > 0) ratios.push(subject[i]! / floor[i]!);
  return median(ratios);
}

export type Goal = { readonly op: '<=' | '>='; readonly value: number; readonly unit: string };

export type Verdict = 'holds' | 'missed' | 'not run';

export function verdict(goal: Goal, measured: number | null | undefined): Verdict {
  if (measured === null || measured === undefined || Number.isNaN(measured)) return 'not run';
  return (goal.op === '<=' ? measured <= goal.value : measured >= goal.value) ? 'holds' : 'missed';
}

export const goalText = (goal: Goal) => `${goal.op === '<=' ? '≤' : '≥'} ${formatNumber(goal.value)}${goal.unit}`;

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 10_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export interface Row {
  /** what is measured, e.g. `304 poll: CPU/request vs floor` */
  readonly name: string;
  /** the figure judged against the goal (a ratio, a rate, KB, ms, a count), null when not run */
  readonly value: number | null;
  readonly unit: string;
  readonly goal: Goal;
  /** the raw figures behind it, e.g. `handler 0.61 ms, floor 0.48 ms` or why it did not run */
  readonly detail: string;
}

export interface JudgedRow extends Row {
  readonly verdict: Verdict;
}

export const judge = (row: Row): JudgedRow => ({ ...row, verdict: verdict(row.goal, row.value) });

/** A GitHub-flavoured markdown table, so the printout pastes into the README as is. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function benchTable(rows: readonly JudgedRow[]): string {
  return table(
    ['measure', 'value', 'goal', 'verdict', 'detail'],
    rows.map((r) => [
      r.name,
      r.value === null ? '—' : `${formatNumber(r.value)}${r.unit}`,
      goalText(r.goal),
      r.verdict,
      r.detail,
    ]),
  );
}

/** CPU milliseconds spent by `work`, from process.cpuUsage (user + system, every thread of this process). */
export async function cpuMs(work: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Runs `a` and `b` alternately `rounds` times after `warmup` rounds of each, returning each
 * one's CPU ms per unit of work (each call of a/b does `units` units).
 */
export async function abab(
  a: () => Promise<void>,
  b: () => Promise<void>,
  opts: { rounds: number; warmup: number; units: number },
): Promise<{ a: number[]; b: number[] }> {
  for (let i = 0; i < opts.warmup; i++) {
    await a();
    await b();
  }
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < opts.rounds; i++) {
    // Swap the order every other round: neither side always runs first after a pause.
    if (i % 2 === 0) {
      out.a.push((await cpuMs(a)) / opts.units);
      out.b.push((await cpuMs(b)) / opts.units);
    } else {
      out.b.push((await cpuMs(b)) / opts.units);
      out.a.push((await cpuMs(a)) / opts.units);
    }
  }
  return out;
}

export const benchMarkers = ['<!-- bench:start -->', '<!-- bench:end -->'] as const;

/** Replaces the text between the bench markers of docs/performance-and-cost.md. */
export function withBenchTable(doc: string, body: string): string {
  const [start, end] = benchMarkers;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the document needs the markers ${start} and ${end}`);
  return `${doc.slice(0, from + start.length)}\n${body}\n${doc.slice(to)}`;
}
