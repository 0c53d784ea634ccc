/**
 * The local cloud's CloudWatch stand-in: parses the Embedded Metric Format lines the handlers
 * print (Powertools Metrics) and keeps every metric in memory per region, name and dimensions,
 * per minute (sum, count, and a bounded reservoir for percentiles). The routers and sandboxes
 * record the local equivalents of the API Gateway and Lambda metrics into the same store.
 */

/** One metric value of an EMF record, with the dimensions of one of its dimension sets. */
export interface EmfSample {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  readonly timestamp: number;
}

interface EmfDirective {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The samples of one stdout line, or undefined when the line is not EMF (then it is an ordinary
 * log line). A record with several dimension sets yields one sample per set and metric.
 */
export function parseEmfLine(line: string): EmfSample[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') || !trimmed.includes('"_aws"')) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!isRecord(record) || !isRecord(record['_aws'])) return undefined;
  const aws = record['_aws'];
  const directives = aws['CloudWatchMetrics'];
  if (!Array.isArray(directives)) return undefined;
  const timestamp = typeof aws['Timestamp'] === 'number' ? aws['Timestamp'] : Date.now();
  const samples: EmfSample[] = [];
  for (const directive of directives as EmfDirective[]) {
    if (!isRecord(directive) || typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const sets =
      Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0
        ? (directive.Dimensions as unknown[])
        : [[]];
    for (const metric of directive.Metrics as unknown[]) {
      const name = isRecord(metric) ? metric['Name'] : undefined;
      if (typeof name !== 'string') continue;
      const raw = record[name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter(
        (v): v is number => typeof v === 'number' && Number.isFinite(v),
      );
      if (values.length === 0) continue;
      for (const set of sets) {
        const dimensions: Record<string, string> = {};
        for (const key of Array.isArray(set) ? set : []) {
          if (typeof key === 'string' && record[key] !== undefined) dimensions[key] = String(record[key]);
        }
        samples.push({ namespace: directive.Namespace, name, dimensions, values, timestamp });
      }
    }
  }
  return samples;
}

/** One minute of one series. */
export interface MinutePoint {
  /** start of the minute, epoch ms */
  readonly minute: number;
  sum: number;
  count: number;
  /** at most `reservoirSize` of the minute's values, uniformly sampled */
  readonly reservoir: number[];
  max: number;
}

export interface SeriesKey {
  readonly region: string;
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface Series extends SeriesKey {
  readonly points: MinutePoint[];
}

/** Local namespaces of the stand-ins for the AWS service metrics. */
export const localApiNamespace = 'local/api';
export const localLambdaNamespace = 'local/lambda';
export const localSqsNamespace = 'local/sqs';

export interface MetricStoreOptions {
  /** minutes kept per series. @default 60 */
  readonly retentionMinutes?: number;
  /** values kept per minute for percentiles. @default 200 */
  readonly reservoirSize?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  private readonly retentionMs: number;
  private readonly reservoirSize: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** when the store began recording, epoch ms: before it, a metric is unknown rather than missing */
  public readonly startedAt: number;

  constructor(options: MetricStoreOptions = {}) {
    this.retentionMs = (options.retentionMinutes ?? 60) * 60_000;
    this.reservoirSize = options.reservoirSize ?? 200;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.startedAt = this.now();
  }

  /** Records the samples of an EMF line printed by a function of `region`. */
  recordEmf(region: string, samples: readonly EmfSample[]): void {
    for (const s of samples)
      for (const v of s.values)
        this.record({ region, namespace: s.namespace, name: s.name, dimensions: s.dimensions }, v, s.timestamp);
  }

  record(key: SeriesKey, value: number, timestamp = this.now()): void {
    const id = seriesId(key);
    let series = this.series.get(id);
    if (!series) {
      series = { ...key, dimensions: { ...key.dimensions }, points: [] };
      this.series.set(id, series);
    }
    const minute = Math.floor(timestamp / 60_000) * 60_000;
    let point = series.points.find((p) => p.minute === minute);
    if (!point) {
      point = { minute, sum: 0, count: 0, reservoir: [], max: -Infinity };
      series.points.push(point);
      series.points.sort((a, b) => a.minute - b.minute);
    }
    point.sum += value;
    point.count += 1;
    point.max = Math.max(point.max, value);
    // Reservoir sampling (Algorithm R): every value of the minute has the same chance to be kept.
    if (point.reservoir.length < this.reservoirSize) point.reservoir.push(value);
    else {
      const slot = Math.floor(this.random() * point.count);
      if (slot < this.reservoirSize) point.reservoir[slot] = value;
    }
    const oldest = this.now() - this.retentionMs;
    while (series.points.length > 0 && series.points[0]!.minute < oldest) series.points.shift();
  }

  /** Series of `region` with this namespace and name whose dimensions include `filter`. */
  find(region: string, namespace: string, name: string, filter: Readonly<Record<string, string>> = {}): Series[] {
    return [...this.series.values()].filter(
      (s) =>
        s.region === region &&
        s.namespace === namespace &&
        s.name === name &&
        Object.entries(filter).every(([k, v]) => s.dimensions[k] === v),
    );
  }
}

const seriesId = (key: SeriesKey): string =>
  JSON.stringify([
    key.region,
    key.namespace,
    key.name,
    Object.entries(key.dimensions).sort(([a], [b]) => a.localeCompare(b)),
  ]);

/** The p-th percentile (0-100) of values, nearest rank; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Several series merged minute by minute (a widget line over several dimension values). */
export function mergeSeries(series: readonly Series[]): MinutePoint[] {
  const byMinute = new Map<number, MinutePoint>();
  for (const s of series) {
    for (const p of s.points) {
      const m = byMinute.get(p.minute) ?? { minute: p.minute, sum: 0, count: 0, reservoir: [], max: -Infinity };
      m.sum += p.sum;
      m.count += p.count;
      m.max = Math.max(m.max, p.max);
      m.reservoir.push(...p.reservoir);
      byMinute.set(p.minute, m);
    }
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}
