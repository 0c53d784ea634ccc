/**
 * `/local/dashboard` and `/local/dashboard.json`: the dashboards the CDK app deploys
 * (lib/observability/definition.ts, the same module), filled from the local metric store: the
 * EMF the local handlers print, the routers' per-route requests, the sandboxes' invocations and
 * the SQS stand-in's message ages; and the same alarms, evaluated over that store. What the laptop
 * has no stand-in for (DynamoDB, Kinesis and WebSocket API metrics, throttles, iterator age) says so. The page is one screen at
 * 1280×800: the alarm state on top, then each section as compact rows (label, number, sparkline).
 */
import { metricName } from '../lambdas/shared/business-metrics-definitions';
import {
  alarms as alarmDefinitions,
  dashboards,
  METRICS_NAMESPACE,
  severities,
  type AlarmDefinition,
  type AlarmThreshold,
  type MetricRef,
  type Severity,
} from '../lib/observability/definition';
import { routes, type FunctionName } from '../lib/routes';
import {
  localApiNamespace,
  localLambdaNamespace,
  localSqsNamespace,
  mergeSeries,
  percentile,
  type MetricStore,
  type MinutePoint,
} from './metrics';

/** Minutes a widget shows. */
export const dashboardWindowMinutes = 30;

export interface DashboardLine {
  readonly label: string;
  /** one value per minute of the window, oldest first (null: no data that minute) */
  readonly points: readonly (number | null)[];
  /** over the window: the sum for counts, the percentile or max for latency-like metrics */
  readonly total: number | null;
  /** when this line is bad, where its widget's lines differ (counts next to their failures) */
  readonly bad?: BadWhen;
}

export interface DashboardWidgetData {
  readonly title: string;
  readonly help: string;
  readonly lines: readonly DashboardLine[];
  /** why there are no lines, when the laptop has no stand-in */
  readonly note?: string;
  /** when a line is bad: above 0 (should be zero), or above an alarm's thresholds */
  readonly bad?: BadWhen;
}

export interface BadWhen {
  /** amber above this */
  readonly warning?: number;
  /** red above this */
  readonly critical?: number;
}

export interface DashboardSectionData {
  readonly title: string;
  readonly widgets: readonly DashboardWidgetData[];
}

/**
 * OK, ALARM, INSUFFICIENT_DATA as CloudWatch says them; NOT_EVALUATED when the laptop has no
 * stand-in for the alarm's metric.
 */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'NOT_EVALUATED';

export interface DashboardAlarm {
  readonly id: string;
  readonly title: string;
  readonly comparison: AlarmDefinition['comparison'];
  readonly thresholds: AlarmDefinition['thresholds'];
  readonly runbook: string;
  /** the worst of its severities */
  readonly state: AlarmState;
  /** the most severe severity in ALARM */
  readonly severityInAlarm?: Severity;
  readonly severities: readonly {
    readonly severity: Severity;
    readonly state: AlarmState;
    /** the latest period's value */
    readonly value: number | null;
  }[];
  /** why it is not evaluated locally */
  readonly note?: string;
}

export interface DashboardData {
  readonly region: string;
  readonly generatedAt: string;
  readonly windowMinutes: number;
  readonly dashboards: readonly {
    readonly id: string;
    readonly title: string;
    readonly audience: string;
    readonly sections: readonly DashboardSectionData[];
  }[];
  readonly alarms: readonly DashboardAlarm[];
}

export interface DashboardSources {
  readonly store: MetricStore;
  /** the region's local function logical ids */
  readonly functionLogicalIds: readonly string[];
  /** failure records per local queue name (`/local/queues`) */
  readonly queues: () => Readonly<Record<string, readonly unknown[]>>;
  /** the region's open WebSocket sessions now (the local WebSocket servers know them; CloudWatch does not) */
  readonly openSessions?: () => number;
  readonly now?: () => number;
}

const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

type Aggregate = 'sum' | 'p50' | 'p99' | 'max';

/** One line of a metric reference: its value over any span of time, null when it has no data there. */
interface LineSource {
  readonly label: string;
  readonly counts: boolean;
  value(from: number, to: number): number | null;
}

const aggregated = (label: string, points: readonly MinutePoint[], aggregate: Aggregate): LineSource => ({
  label,
  counts: aggregate === 'sum',
  value: (from, to) => {
    const ps = points.filter((p) => p.minute >= from && p.minute < to);
    if (ps.length === 0) return null;
    if (aggregate === 'sum') return ps.reduce((n, p) => n + p.sum, 0);
    if (aggregate === 'max') return Math.max(...ps.map((p) => p.max));
    return (
      percentile(
        ps.flatMap((p) => p.reservoir),
        aggregate === 'p50' ? 50 : 99,
      ) ?? null
    );
  },
});

/** 100 × part / whole over the span, as API Gateway's 5xx rate; null without requests. */
const percentOf = (label: string, part: readonly MinutePoint[], whole: readonly MinutePoint[]): LineSource => {
  const [p, w] = [aggregated('', part, 'sum'), aggregated('', whole, 'sum')];
  return {
    label,
    counts: false,
    value: (from, to) => {
      const requests = w.value(from, to) ?? 0;
      return requests > 0 ? (100 * (p.value(from, to) ?? 0)) / requests : null;
    },
  };
};

/** Metrics that should stay at zero (the definition's help says so): any count is bad. */
const shouldBeZero = (ref: MetricRef): boolean =>
  (ref.source === 'api' && ref.metric === '5xx') ||
  (ref.source === 'lambda' && (ref.metric === 'Errors' || ref.metric === 'Throttles')) ||
  (ref.source === 'queue' && ref.metric === 'ApproximateNumberOfMessagesVisible') ||
  (ref.source === 'websocket' && ref.metric === 'ExecutionError') ||
  ref.source === 'dynamodb' ||
  (ref.source === 'kinesis' && ref.metric === 'WriteProvisionedThroughputExceeded');

/** Where a widget's line turns amber or red: zero for should-be-zero metrics, else the stage alarm's thresholds. */
function badWhen(ref: MetricRef): BadWhen | undefined {
  if (shouldBeZero(ref)) return { critical: 0 };
  if (ref.source === 'api' && ref.metric === '4xx') return { warning: 0 };
  const alarm = alarmDefinitions.find(
    (a) => a.metric.source === ref.source && a.metric.metric === ref.metric && a.comparison === 'greaterThan',
  );
  if (!alarm) return undefined;
  return {
    ...(alarm.thresholds.warning && { warning: alarm.thresholds.warning.value }),
    ...(alarm.thresholds.critical && { critical: alarm.thresholds.critical.value }),
  };
}

export function dashboardData(region: string, sources: DashboardSources): DashboardData {
  const now = sources.now?.() ?? Date.now();
  const lastMinute = Math.floor(now / 60_000) * 60_000;
  const minutes = Array.from(
    { length: dashboardWindowMinutes },
    (_, i) => lastMinute - (dashboardWindowMinutes - 1 - i) * 60_000,
  );
  const windowStart = minutes[0]!;
  const windowEnd = lastMinute + 60_000;

  const toLine = (source: LineSource): DashboardLine => {
    const total = source.value(windowStart, windowEnd);
    return {
      label: source.label,
      points: minutes.map((m) => source.value(m, m + 60_000)),
      total: source.counts ? (total ?? 0) : total,
    };
  };
  const functionLogicalId = (fn: FunctionName) =>
    sources.functionLogicalIds.find((id) => new RegExp(`^${pascal(fn)}Function[0-9A-F]{8}$`).test(id));
  const find = (namespace: string, name: string, filter: Record<string, string> = {}) =>
    mergeSeries(sources.store.find(region, namespace, name, filter));

  const lineSources = (ref: MetricRef): { lines: LineSource[]; note?: string } => {
    switch (ref.source) {
      case 'business': {
        const name = metricName(ref.metric);
        const all = sources.store.find(region, METRICS_NAMESPACE, name);
        if (ref.shareAmong) {
          const part = aggregated(name, mergeSeries(all), 'sum');
          const others = ref.shareAmong.map((key) => aggregated('', find(METRICS_NAMESPACE, metricName(key)), 'sum'));
          return {
            lines: [
              {
                label: `${name} %`,
                counts: false,
                value: (from, to) => {
                  const p = part.value(from, to);
                  if (p === null) return null;
                  const whole = others.reduce((n, o) => n + (o.value(from, to) ?? 0), p);
                  return whole > 0 ? (100 * p) / whole : null;
                },
              },
            ],
          };
        }
        if (!ref.splitBy) return { lines: [aggregated(name, mergeSeries(all), 'sum')] };
        const splitBy = ref.splitBy;
        const values =
          ref.splitValues ??
          [...new Set(all.map((s) => s.dimensions[splitBy]).filter((v): v is string => v !== undefined))].sort();
        return {
          lines: values.map((v) =>
            aggregated(`${name} ${v}`, mergeSeries(all.filter((s) => s.dimensions[splitBy] === v)), 'sum'),
          ),
        };
      }
      case 'api': {
        const scopes = ref.perRoute ? routes.map((r) => `${r.method} ${r.path}`) : [undefined];
        return {
          lines: scopes.map((route): LineSource => {
            const filter: Record<string, string> = route ? { route } : {};
            const label = route ?? 'all routes';
            switch (ref.metric) {
              case 'Count':
                return aggregated(label, find(localApiNamespace, 'Count', filter), 'sum');
              case '4xx':
                return aggregated(label, find(localApiNamespace, '4xx', filter), 'sum');
              case '5xx':
                return aggregated(label, find(localApiNamespace, '5xx', filter), 'sum');
              case '5xxRate':
                return percentOf(
                  `${label} 5xx %`,
                  find(localApiNamespace, '5xx', filter),
                  find(localApiNamespace, 'Count', filter),
                );
              case 'LatencyP50':
                return aggregated(label, find(localApiNamespace, 'Latency', filter), 'p50');
              case 'LatencyP99':
                return aggregated(label, find(localApiNamespace, 'Latency', filter), 'p99');
              default:
                throw new Error(`no such API metric: ${JSON.stringify(ref satisfies never)}`);
            }
          }),
        };
      }
      case 'lambda': {
        if (ref.metric === 'Throttles')
          return { lines: [], note: 'no concurrency limit locally: a local function is never throttled' };
        if (ref.metric === 'IteratorAgeMax')
          return { lines: [], note: "see GET /local/event-sources for each shard's checkpoint and backlog" };
        const metricName = {
          Invocations: 'Invocations',
          Errors: 'Errors',
          DurationP99: 'Duration',
          ConcurrentExecutions: 'ConcurrentExecutions',
        }[ref.metric];
        const aggregate: Aggregate =
          ref.metric === 'DurationP99' ? 'p99' : ref.metric === 'ConcurrentExecutions' ? 'max' : 'sum';
        return {
          lines: ref.functions.map((fn) => {
            const id = functionLogicalId(fn);
            return aggregated(fn, id ? find(localLambdaNamespace, metricName, { function: id }) : [], aggregate);
          }),
        };
      }
      case 'queue': {
        const needleOf = (q: string) => {
          const [fn, kind] = q.split('.') as [string, string];
          return `${pascal(fn)}${kind === 'onFailure' ? 'OnFailureQueue' : kind === 'queue' ? 'Queue' : ''}`.toLowerCase();
        };
        if (ref.metric === 'ApproximateAgeOfOldestMessage') {
          // The SQS stand-in records each batch's oldest message age as it hands it to the function.
          return {
            lines: ref.queues.map((q) =>
              aggregated(
                q,
                mergeSeries(
                  sources.store
                    .find(region, localSqsNamespace, 'ApproximateAgeOfOldestMessage')
                    .filter((s) => s.dimensions['QueueName']?.toLowerCase().includes(needleOf(q))),
                ),
                'max',
              ),
            ),
          };
        }
        const queues = sources.queues();
        return {
          lines: ref.queues.map((q): LineSource => {
            const needle = needleOf(q);
            const depth = Object.entries(queues)
              .filter(([name]) => name.includes(needle))
              .reduce((n, [, records]) => n + records.length, 0);
            // Only the depth now is known: the latest minute.
            return { label: q, counts: true, value: (_from, to) => (to > lastMinute ? depth : null) };
          }),
        };
      }
      case 'websocket':
        return { lines: [], note: 'the local WebSocket stand-in publishes no API Gateway metrics' };
      case 'dynamodb':
      case 'kinesis':
        return {
          lines: [],
          note: `${ref.source === 'dynamodb' ? 'DynamoDB Local' : 'kinesalite'} publishes no service metrics`,
        };
    }
  };

  return {
    region,
    generatedAt: new Date(now).toISOString(),
    windowMinutes: dashboardWindowMinutes,
    dashboards: dashboards.map((d) => ({
      id: d.id,
      title: d.title,
      audience: d.audience,
      sections: d.sections.map((s) => ({
        title: s.title,
        widgets: s.widgets.map((w): DashboardWidgetData => {
          const results = w.metrics.map(lineSources);
          // CloudWatch has no gauge of open WebSocket sessions; the local servers know them.
          const opened = w.metrics.some((m) => m.source === 'business' && m.metric === 'presenceSessionsOpened');
          if (opened && sources.openSessions) {
            const open = sources.openSessions();
            results.push({
              lines: [{ label: 'open now', counts: false, value: (_from, to) => (to > lastMinute ? open : null) }],
            });
          }
          const note = results.find((r) => r.note)?.note;
          const bads = w.metrics.map(badWhen);
          // One rule for the widget when its metrics share it; else each line its own.
          const shared = bads.every((b) => JSON.stringify(b) === JSON.stringify(bads[0]));
          const bad = shared ? bads[0] : undefined;
          return {
            title: w.title,
            help: w.help,
            lines: results.flatMap((r, i) =>
              r.lines.map((l) => {
                const lineBad = shared ? undefined : bads[i];
                return { ...toLine(l), ...(lineBad !== undefined && { bad: lineBad }) };
              }),
            ),
            ...(note !== undefined && { note }),
            ...(bad !== undefined && { bad }),
          };
        }),
      })),
    })),
    alarms: alarmDefinitions.map((a) => {
      const { lines, note } = lineSources(a.metric);
      if (note !== undefined || lines.length === 0)
        return {
          id: a.id,
          title: a.title,
          comparison: a.comparison,
          thresholds: a.thresholds,
          runbook: a.runbook,
          state: 'NOT_EVALUATED',
          severities: [],
          note: note ?? 'no local stand-in',
        };
      // Several lines (functions, tables) are summed, as the deployed alarm sums them.
      const value = (from: number, to: number): number | null => {
        const values = lines.map((l) => l.value(from, to)).filter((v): v is number => v !== null);
        return values.length === 0 ? null : values.reduce((n, v) => n + v, 0);
      };
      return {
        id: a.id,
        title: a.title,
        comparison: a.comparison,
        thresholds: a.thresholds,
        runbook: a.runbook,
        ...evaluateAlarm(a, value, now, sources.store.startedAt),
      };
    }),
  };
}

/**
 * An alarm as CloudWatch evaluates it, over the local store: the last `evaluationPeriods` periods
 * (aligned to the period, the current one included), ALARM when `datapointsToAlarm` of them breach.
 * A period without data breaches only when missing data is `breaching`; periods that ended before
 * the store began are unknown, and while too few are known a breaching-when-missing alarm waits
 * (INSUFFICIENT_DATA) instead of firing on a laptop that just started.
 */
export function evaluateAlarm(
  definition: AlarmDefinition,
  value: (from: number, to: number) => number | null,
  now: number,
  startedAt: number,
): Pick<DashboardAlarm, 'state' | 'severityInAlarm' | 'severities'> {
  const periodMs = definition.periodMinutes * 60_000;
  const currentEnd = Math.floor(now / periodMs) * periodMs + periodMs;
  const periods = Array.from({ length: definition.evaluationPeriods }, (_, k) => currentEnd - k * periodMs)
    .filter((end) => end > startedAt)
    .map((end) => value(end - periodMs, end));
  const breaches = (threshold: AlarmThreshold) =>
    periods.filter((v) =>
      v === null
        ? definition.missingData === 'breaching'
        : definition.comparison === 'greaterThan'
          ? v > threshold.value
          : v < threshold.value,
    ).length;
  const perSeverity = severities.flatMap((severity) => {
    const threshold = definition.thresholds[severity];
    if (!threshold) return [];
    const state: AlarmState =
      breaches(threshold) >= definition.datapointsToAlarm
        ? 'ALARM'
        : definition.missingData === 'breaching' && periods.length < definition.evaluationPeriods
          ? 'INSUFFICIENT_DATA'
          : 'OK';
    return [{ severity, state, value: periods[0] ?? null }];
  });
  const inAlarm = perSeverity.find((s) => s.state === 'ALARM');
  return {
    state: inAlarm ? 'ALARM' : perSeverity.some((s) => s.state === 'INSUFFICIENT_DATA') ? 'INSUFFICIENT_DATA' : 'OK',
    ...(inAlarm && { severityInAlarm: inAlarm.severity }),
    severities: perSeverity,
  };
}

/** A section as a grid: one row per label its widgets share, one column per widget with lines. */
export interface SectionGrid {
  readonly columns: readonly DashboardWidgetData[];
  readonly rows: readonly { readonly label: string; readonly cells: readonly (DashboardLine | undefined)[] }[];
  /** widgets without lines locally, with why */
  readonly notes: readonly DashboardWidgetData[];
}

/**
 * The grid of a section whose widgets show the same things (routes, functions) from several sides;
 * undefined when they do not (then each widget is its own small table). A cell is the line of its
 * column's widget with its row's label: the 5xx column reads the 5xx widget, never its neighbour.
 */
export function sectionGrid(section: DashboardSectionData): SectionGrid | undefined {
  const columns = section.widgets.filter((w) => w.lines.length > 0);
  if (columns.length < 2) return undefined;
  const labels = columns[0]!.lines.map((l) => l.label);
  const sameRows = columns.every(
    (w) => w.lines.length === labels.length && w.lines.every((l) => labels.includes(l.label)),
  );
  if (!sameRows) return undefined;
  return {
    columns,
    rows: labels.map((label) => ({ label, cells: columns.map((w) => w.lines.find((l) => l.label === label)) })),
    notes: section.widgets.filter((w) => w.lines.length === 0),
  };
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function sparkline(points: readonly (number | null)[], tone: string): string {
  const values = points.map((p) => p ?? 0);
  if (values.every((v) => v === 0)) return '<svg class="spark" aria-hidden="true"></svg>';
  const max = Math.max(...values);
  const w = 36;
  const h = 14;
  const step = w / Math.max(1, values.length - 1);
  const path = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return `<svg class="spark ${tone}" viewBox="0 0 ${w} ${h}" aria-hidden="true"><polyline points="${path}"/></svg>`;
}

/** 3, 2.5, 1.2k, 3.4M: a number that fits a narrow column. */
export function formatNumber(v: number | null): string {
  if (v === null) return '–';
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${(v / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (Number.isInteger(v)) return String(v);
  return abs >= 100 ? v.toFixed(0) : v.toFixed(1);
}

const toneOf = (bad: BadWhen | undefined, v: number | null): '' | 'warn' | 'bad' =>
  v === null || !bad
    ? ''
    : bad.critical !== undefined && v > bad.critical
      ? 'bad'
      : bad.warning !== undefined && v > bad.warning
        ? 'warn'
        : '';

const isIdle = (lines: readonly (DashboardLine | undefined)[]): boolean =>
  lines.every((l) => !l || l.total === null || l.total === 0);

/** Routes read without the `/v1` they all share; path segments break after each slash; the whole label stays in the title. */
const labelHtml = (label: string): string =>
  `<td class="label" title="${escapeHtml(label)}"><span>${escapeHtml(label.replace(' /v1/', ' /')).replaceAll('/', '/<wbr>')}</span></td>`;

const cellHtml = (column: DashboardWidgetData, line: DashboardLine | undefined, row: string): string => {
  const tone = toneOf(column.bad, line?.total ?? null);
  const title = `${column.title} · ${row}: ${formatNumber(line?.total ?? null)}`;
  return `<td class="n ${tone}" data-column="${escapeHtml(column.title)}" title="${escapeHtml(title)}"><span class="v">${formatNumber(line?.total ?? null)}</span>${sparkline(line?.points ?? [], tone)}</td>`;
};

/** Widgets without local data, one line per reason: `Incoming records, Write throttles: kinesalite publishes no…`. */
function notesHtml(notes: readonly DashboardWidgetData[]): string {
  const byNote = new Map<string, string[]>();
  for (const w of notes) byNote.set(w.note ?? 'no data', [...(byNote.get(w.note ?? 'no data') ?? []), w.title]);
  const lines = [...byNote].map(([note, titles]) => `<b>${escapeHtml(titles.join(', '))}</b>: ${escapeHtml(note)}`);
  return lines.length === 0 ? '' : `<p class="note">${lines.join('<br>')}</p>`;
}

function gridHtml(section: DashboardSectionData, grid: SectionGrid): string {
  const active = grid.rows.filter((r) => !isIdle(r.cells));
  const idle = grid.rows.filter((r) => isIdle(r.cells));
  const head = `<tr><th class="label">${active.length} active</th>${grid.columns.map((c) => `<th title="${escapeHtml(c.help)}">${escapeHtml(c.title)}</th>`).join('')}</tr>`;
  const rows = active
    .map(
      (r) =>
        `<tr>${labelHtml(r.label)}${r.cells.map((line, i) => cellHtml(grid.columns[i]!, line, r.label)).join('')}</tr>`,
    )
    .join('');
  const idleLine =
    idle.length === 0
      ? ''
      : `<p class="idle" title="${escapeHtml(idle.map((r) => r.label).join('\n'))}">+ ${idle.length} without traffic in the window</p>`;
  return `<section class="grid-section" data-section="${escapeHtml(section.title)}"><h2>${escapeHtml(section.title)}</h2><table class="grid"><colgroup><col class="label">${grid.columns.map(() => '<col>').join('')}</colgroup>${head}${rows}</table>${idleLine}${notesHtml(grid.notes)}</section>`;
}

/** Split lines read by their value (`Activations 201` → `201`) when they share the metric name. */
function shortLabels(lines: readonly DashboardLine[]): string[] {
  const first = lines[0]?.label.split(' ')[0];
  const shared = lines.length > 1 && lines.every((l) => l.label.startsWith(`${first} `));
  return lines.map((l) => (shared ? l.label.slice(first!.length + 1) : l.label));
}

/** A metric's name in words (`PresenceSubscriptionRenewalFailures` → `Presence subscription renewal failures`); the name stays in the title. */
export function readableLabel(label: string): string {
  // A metric name, alone or with its split value (`TelemetryBatches 400`); routes (`POST /v1/…`) and functions stay.
  const m = /^([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)((?: [^ /]+)?)$/.exec(label);
  if (!m) return label;
  const words = m[1]!.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1) + m[2];
}

function widgetHtml(w: DashboardWidgetData): string {
  if (w.lines.length === 0)
    return `<div class="widget"><h3 title="${escapeHtml(w.help)}">${escapeHtml(w.title)}</h3><p class="note">${escapeHtml(w.note ?? 'no data in the window')}</p></div>`;
  const labels = shortLabels(w.lines).map(readableLabel);
  const rows = w.lines
    .map((l, i) => {
      const tone = toneOf(l.bad ?? w.bad, l.total);
      return `<tr><td class="label" title="${escapeHtml(l.label)}"><span>${escapeHtml(labels[i]!)}</span></td><td class="n ${tone}" data-column="${escapeHtml(w.title)}" title="${escapeHtml(`${l.label}: ${formatNumber(l.total)}`)}"><span class="v">${formatNumber(l.total)}</span>${sparkline(l.points, tone)}</td></tr>`;
    })
    .join('');
  return `<div class="widget"><h3 title="${escapeHtml(w.help)}">${escapeHtml(w.title)}</h3><table>${rows}</table></div>`;
}

function listSectionHtml(section: DashboardSectionData): string {
  const withLines = section.widgets.filter((w) => w.lines.length > 0);
  const notes = section.widgets.filter((w) => w.lines.length === 0);
  return `<section data-section="${escapeHtml(section.title)}"><h2>${escapeHtml(section.title)}</h2>${withLines.map(widgetHtml).join('')}${notesHtml(notes)}</section>`;
}

const stateLabel: Record<AlarmState, string> = {
  OK: 'OK',
  ALARM: 'ALARM',
  INSUFFICIENT_DATA: 'waiting',
  NOT_EVALUATED: 'n/a',
};

function alarmsHtml(alarms: readonly DashboardAlarm[]): string {
  const notEvaluated = alarms.filter((a) => a.state === 'NOT_EVALUATED');
  const rows = alarms
    .filter((a) => a.state !== 'NOT_EVALUATED')
    .map((a) => {
      const thresholds = Object.entries(a.thresholds)
        .map(([severity, t]) => `${severity} ${a.comparison === 'greaterThan' ? '>' : '<'} ${t.value}: ${t.reason}`)
        .join('\n');
      const detail = a.note ?? `${thresholds}\nOn-call: ${a.runbook}`;
      const state = a.state === 'ALARM' ? `${a.severityInAlarm}` : stateLabel[a.state];
      return `<tr class="${a.state}" title="${escapeHtml(detail)}"><td><i class="dot"></i>${escapeHtml(a.title)}</td><td class="state">${escapeHtml(state)}</td></tr>`;
    })
    .join('');
  const aside =
    notEvaluated.length === 0
      ? ''
      : `<p class="note" title="${escapeHtml(notEvaluated.map((a) => `${a.title}: ${a.note}`).join('\n'))}"><b>Not evaluated locally</b> (no stand-in): ${escapeHtml(notEvaluated.map((a) => a.title).join(' · '))}</p>`;
  return `<section data-section="Alarms"><h2>Alarms <small>evaluated locally over the same metrics</small></h2><table class="alarms">${rows}</table>${aside}</section>`;
}

/** The top line: all alarms OK, or how many are in alarm and which. */
export function alarmSummary(alarms: readonly DashboardAlarm[]): { ok: boolean; text: string } {
  const inAlarm = alarms.filter((a) => a.state === 'ALARM');
  const notEvaluated = alarms.filter((a) => a.state === 'NOT_EVALUATED').length;
  const waiting = alarms.filter((a) => a.state === 'INSUFFICIENT_DATA').length;
  const aside = [
    waiting > 0 ? `${waiting} waiting for data` : '',
    notEvaluated > 0 ? `${notEvaluated} not evaluated locally (no stand-in)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (inAlarm.length === 0)
    return { ok: true, text: `All alarms OK${aside ? ` · ${alarms.length} alarms, ${aside}` : ''}` };
  const named = inAlarm.map((a) => `${a.title} (${a.severityInAlarm})`).join(' · ');
  return { ok: false, text: `${inAlarm.length} in alarm: ${named}` };
}

/** A self-contained page (no external assets) that renders `data` and refreshes itself. */
export function dashboardHtml(data: DashboardData): string {
  const summary = alarmSummary(data.alarms);
  const service = data.dashboards.find((d) => d.id === 'service');
  const others = data.dashboards.filter((d) => d.id !== 'service');
  // Grids (routes, functions) on the left; the support overview in the middle; alarms and the
  // service sections of a few lines (stream, tables, failure destinations) on the right.
  const serviceGrids = (service?.sections ?? []).flatMap((s) => {
    const grid = sectionGrid(s);
    return grid ? [gridHtml(s, grid)] : [];
  });
  const serviceLists = (service?.sections ?? []).filter((s) => !sectionGrid(s)).map(listSectionHtml);
  const support = others
    .map(
      (d) =>
        `<div class="dashboard" data-dashboard="${escapeHtml(d.id)}"><h2 class="dash" title="${escapeHtml(d.audience)}">${escapeHtml(d.title)}</h2>${d.sections.map(listSectionHtml).join('')}</div>`,
    )
    .join('');
  const time = data.generatedAt.slice(11, 19);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>UCX local dashboard (${escapeHtml(data.region)})</title>
<style>
*{box-sizing:border-box}
body{font:12px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2733;background:#eef1f4}
header{display:flex;align-items:baseline;gap:14px;padding:6px 14px;background:#fff;border-bottom:1px solid #d5dbe1}
header h1{font-size:15px;margin:0}
header .meta{color:#5b6670}
header a{color:#2458b3}
.status{padding:6px 14px;font-weight:600;font-size:13px;border-bottom:1px solid #d5dbe1}
.status.ok{background:#e2f3e6;color:#175c2d}
.status.alarm{background:#fbe1de;color:#9c1c14}
main{display:grid;grid-template-columns:minmax(0,1.45fr) minmax(0,1fr) minmax(0,0.95fr);gap:10px;padding:10px 14px;align-items:start}
.col{display:flex;flex-direction:column;gap:10px;min-width:0}
section{background:#fff;border:1px solid #d5dbe1;border-radius:5px;padding:5px 8px}
h2{font-size:13px;margin:0 0 3px}
h2 small{font-weight:400;color:#6b757f}
h2.dash{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#5b6670;margin:0 0 -4px 2px}
.dashboard{display:flex;flex-direction:column;gap:10px}
h3{font-size:11px;margin:4px 0 1px;color:#3d4852}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th{font-size:10.5px;font-weight:600;color:#5b6670;text-align:right;padding:1px 3px;border-bottom:1px solid #e3e7eb;vertical-align:bottom;line-height:1.15}
th.label{text-align:left;font-weight:400}
col.label{width:150px}
td{padding:1px 3px;border-bottom:1px solid #f0f2f4;vertical-align:middle}
td.label span{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere;line-height:1.2}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.n .v{display:inline-block;min-width:2.2em}
svg.spark{display:inline-block;width:36px;height:14px;vertical-align:middle;margin-left:3px;fill:none;stroke:#3b78d8;stroke-width:1.2}
svg.spark.warn{stroke:#c77700}
svg.spark.bad{stroke:#c62a1f}
td.warn{color:#a15c00;font-weight:600;background:#fff4e0}
td.bad{color:#b3201a;font-weight:700;background:#fde8e6}
.widget td.n{width:96px}
.note,.idle{color:#6b757f;margin:3px 0 1px;font-size:11px}
table.alarms td{padding:2px 3px;line-height:1.2}
table.alarms td.state{width:5.5em;text-align:right;font-weight:600}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:5px;background:#2e9d52}
tr.ALARM .dot{background:#c62a1f} tr.ALARM td{color:#9c1c14;font-weight:600;background:#fde8e6}
tr.INSUFFICIENT_DATA .dot{background:#c77700}
@media (max-width:960px){main{grid-template-columns:minmax(0,1fr)}}
</style></head><body>
<header><h1>UCX local · ${escapeHtml(data.region)}</h1><span class="meta">last ${data.windowMinutes} min, per minute; a count is the window's sum, latency its p50/p99 (ms) · ${escapeHtml(time)} UTC · refreshes every 10 s · <a href="/local/dashboard.json">JSON</a></span></header>
<div class="status ${summary.ok ? 'ok' : 'alarm'}" role="status">${summary.ok ? '✓' : '✗'} ${escapeHtml(summary.text)}</div>
<main>
<div class="col">${service ? `<h2 class="dash" title="${escapeHtml(service.audience)}">${escapeHtml(service.title)}</h2>` : ''}${serviceGrids.join('')}</div>
<div class="col">${support}</div>
<div class="col">${alarmsHtml(data.alarms)}${serviceLists.length > 0 && service ? `<h2 class="dash">${escapeHtml(service.title)}, continued</h2>` : ''}${serviceLists.join('')}</div>
</main></body></html>`;
}
