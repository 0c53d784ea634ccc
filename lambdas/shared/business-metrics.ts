/**
 * Every business metric the service emits, defined once: the handlers emit them through
 * `emitCount`, and the CDK dashboards and alarms are built from the same definitions (a test
 * proves each metric a dashboard or alarm names is emitted by some handler). Dimensions are
 * low-cardinality only (status, rule id, severity): never an installation or account id.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from './powertools';

export const METRICS_NAMESPACE = 'UcxCloud';
export const SERVICE_NAME = 'ucx-cloud';

export interface BusinessMetric {
  readonly name: string;
  readonly description: string;
  /** dimension names beyond `service` */
  readonly dimensions: readonly string[];
  /** handler entries (lambdas/handlers/<entry>.ts) that emit it */
  readonly emittedBy: readonly string[];
}

export const businessMetrics = {
  activations: {
    name: 'Activations',
    description: 'Activation requests by answer status (201 new, 200 repeat, 403 key, 409 capacity, 421 region)',
    dimensions: ['status'],
    emittedBy: ['activate'],
  },
  licencePolls: {
    name: 'LicencePolls',
    description: 'Licence polls by answer status (200 new licence, 304 unchanged, 410 deactivated)',
    dimensions: ['status'],
    emittedBy: ['get-license'],
  },
  ordersDeposited: {
    name: 'OrdersDeposited',
    description: 'Back-office orders by answer status (201 deposited, 200 replay, 409 conflict)',
    dimensions: ['status'],
    emittedBy: ['put-order'],
  },
  telemetryBatches: {
    name: 'TelemetryBatches',
    description: 'Telemetry batches by answer status',
    dimensions: ['status'],
    emittedBy: ['ingest-telemetry'],
  },
  beatsAccepted: {
    name: 'BeatsAccepted',
    description: 'Beats put on the stream',
    dimensions: [],
    emittedBy: ['ingest-telemetry'],
  },
  beatsRejected: {
    name: 'BeatsRejected',
    description: 'Beats refused by validation',
    dimensions: [],
    emittedBy: ['ingest-telemetry'],
  },
  beatsRedacted: {
    name: 'BeatsRedacted',
    description: 'Redactions made before storing (personal data, unknown fields)',
    dimensions: [],
    emittedBy: ['ingest-telemetry'],
  },
  beatsDuplicate: {
    name: 'BeatsDuplicate',
    description: 'Beats recognised as repeats (in a batch, or by the rules engine)',
    dimensions: [],
    emittedBy: ['ingest-telemetry', 'evaluate-rules', 'sweep-silent'],
  },
  beatsArchived: {
    name: 'BeatsArchived',
    description: 'Beats written to the S3 archive',
    dimensions: [],
    emittedBy: ['archive-telemetry'],
  },
  beatsEvaluated: {
    name: 'BeatsEvaluated',
    description: 'Beats evaluated by the rules',
    dimensions: [],
    emittedBy: ['evaluate-rules', 'sweep-silent'],
  },
  findingsOpened: {
    name: 'FindingsOpened',
    description: 'Findings opened, by rule and severity',
    dimensions: ['ruleId', 'severity'],
    emittedBy: ['evaluate-rules', 'sweep-silent'],
  },
  findingsResolved: {
    name: 'FindingsResolved',
    description: 'Findings resolved, by rule and severity',
    dimensions: ['ruleId', 'severity'],
    emittedBy: ['evaluate-rules', 'sweep-silent'],
  },
  silentSweepRuns: {
    name: 'SilentSweepRuns',
    description: 'Completed runs of the missing-beat sweep',
    dimensions: [],
    emittedBy: ['sweep-silent'],
  },
} as const satisfies Record<string, BusinessMetric>;

export type BusinessMetricKey = keyof typeof businessMetrics;

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
    if (!group) byDimensions.set(id, (group = { dimensions, values: [] }));
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
  for (const [key, value] of values) metrics.addMetric(businessMetrics[key].name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
