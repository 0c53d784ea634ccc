/**
 * Writes the business metrics (business-metrics-definitions.ts) as EMF records through the
 * Powertools Metrics singleton: one record per count, or summed per container on the hot paths.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricName, type BusinessMetricKey } from './business-metrics-definitions';
import { metrics } from './powertools';

export { businessMetrics, type BusinessMetric, type BusinessMetricKey } from './business-metrics-definitions';

/**
 * Counts a business metric. By default each count is its own EMF record, written now. A function
 * on the hot path (licence polls, telemetry batches: thousands of requests a second at scale) sets
 * METRICS_FLUSH_SECONDS instead: its counts are summed in the container and written as one EMF
 * record per dimension set at most once per interval, on the first count after it elapses. That
 * turns one log line per request into one per container-minute (see bench/cost-model.ts, CloudWatch
 * Logs). The price: a container that is reaped loses its last interval of counts, and a sum carries
 * the time it was written, not the time of each request. Dashboards of busy paths do not notice;
 * rare events (activations, orders) keep the default and are counted exactly.
 */
export function emitCount(key: BusinessMetricKey, value = 1, dimensions: Record<string, string> = {}): void {
  if (value === 0) return;
  const intervalMs = flushIntervalMs();
  if (intervalMs === 0) {
    writeRecord(dimensions, [[key, value]]);
    return;
  }
  const id = JSON.stringify([key, Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))]);
  const now = Date.now();
  pendingSince ??= now;
  const entry = pending.get(id);
  if (entry) entry.value += value;
  else pending.set(id, { key, dimensions, value });
  if (now - pendingSince >= intervalMs) flushCounts();
}

/** Writes every pending sum now (one EMF record per dimension set); a no-op when nothing is pending. */
export function flushCounts(): void {
  const byDimensions = new Map<string, { dimensions: Record<string, string>; values: [BusinessMetricKey, number][] }>();
  for (const { key, dimensions, value } of pending.values()) {
    const id = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
    let group = byDimensions.get(id);
    if (!group) {
      group = { dimensions, values: [] };
      byDimensions.set(id, group);
    }
    group.values.push([key, value]);
  }
  pending.clear();
  pendingSince = undefined;
  for (const { dimensions, values } of byDimensions.values()) writeRecord(dimensions, values);
}

const pending = new Map<string, { key: BusinessMetricKey; dimensions: Record<string, string>; value: number }>();
let pendingSince: number | undefined;

function flushIntervalMs(): number {
  const seconds = Number(process.env.METRICS_FLUSH_SECONDS ?? 0);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/**
 * One EMF record: the given counts under exactly these dimensions (plus `service`), through the
 * container's one Metrics instance (publishing clears its metrics and dimensions again).
 */
function writeRecord(dimensions: Record<string, string>, values: readonly [BusinessMetricKey, number][]): void {
  for (const [name, dimensionValue] of Object.entries(dimensions)) metrics.addDimension(name, dimensionValue);
  for (const [key, value] of values) metrics.addMetric(metricName(key), MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
