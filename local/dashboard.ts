/**
 * `/local/dashboard` and `/local/dashboard.json`: the dashboards the CDK app deploys
 * (lib/observability/definition.ts, the same module), filled from the local metric store: the
 * EMF the local handlers print, the routers' per-route requests and the sandboxes' invocations.
 * What the laptop has no stand-in for (DynamoDB and Kinesis service metrics) says so.
 */
import { businessMetrics } from '../lambdas/shared/business-metrics-definitions';
import { alarms, dashboards, METRICS_NAMESPACE, type MetricRef } from '../lib/observability/definition';
import { routes, type FunctionName } from '../lib/routes';
import {
  localApiNamespace,
  localLambdaNamespace,
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
}

export interface DashboardWidgetData {
  readonly title: string;
  readonly help: string;
  readonly lines: readonly DashboardLine[];
  /** why there are no lines, when the laptop has no stand-in */
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
    readonly sections: readonly { readonly title: string; readonly widgets: readonly DashboardWidgetData[] }[];
  }[];
  readonly alarms: readonly {
    readonly id: string;
    readonly title: string;
    readonly thresholds: unknown;
    readonly runbook: string;
  }[];
}

export interface DashboardSources {
  readonly store: MetricStore;
  /** the region's local function logical ids */
  readonly functionLogicalIds: readonly string[];
  /** failure records per local queue name (`/local/queues`) */
  readonly queues: () => Readonly<Record<string, readonly unknown[]>>;
  readonly now?: () => number;
}

const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

type Aggregate = 'sum' | 'p50' | 'p99' | 'max';

export function dashboardData(region: string, sources: DashboardSources): DashboardData {
  const now = sources.now?.() ?? Date.now();
  const lastMinute = Math.floor(now / 60_000) * 60_000;
  const minutes = Array.from(
    { length: dashboardWindowMinutes },
    (_, i) => lastMinute - (dashboardWindowMinutes - 1 - i) * 60_000,
  );

  const line = (label: string, points: MinutePoint[], aggregate: Aggregate): DashboardLine => {
    const inWindow = points.filter((p) => p.minute >= minutes[0]!);
    const value = (ps: MinutePoint[]): number | null => {
      if (ps.length === 0) return null;
      if (aggregate === 'sum') return ps.reduce((n, p) => n + p.sum, 0);
      if (aggregate === 'max') return Math.max(...ps.map((p) => p.max));
      return (
        percentile(
          ps.flatMap((p) => p.reservoir),
          aggregate === 'p50' ? 50 : 99,
        ) ?? null
      );
    };
    return {
      label,
      points: minutes.map((m) => value(inWindow.filter((p) => p.minute === m))),
      total: aggregate === 'sum' ? (value(inWindow) ?? 0) : value(inWindow),
    };
  };
  const functionLogicalId = (fn: FunctionName) =>
    sources.functionLogicalIds.find((id) => new RegExp(`^${pascal(fn)}Function[0-9A-F]{8}$`).test(id));

  const widgetLines = (ref: MetricRef): { lines: DashboardLine[]; note?: string } => {
    switch (ref.source) {
      case 'business': {
        const name = businessMetrics[ref.metric].name;
        const all = sources.store.find(region, METRICS_NAMESPACE, name);
        if (!ref.splitBy) return { lines: [line(name, mergeSeries(all), 'sum')] };
        const splitBy = ref.splitBy;
        const values =
          ref.splitValues ??
          [...new Set(all.map((s) => s.dimensions[splitBy]).filter((v): v is string => v !== undefined))].sort();
        return {
          lines: values.map((v) =>
            line(`${name} ${v}`, mergeSeries(all.filter((s) => s.dimensions[splitBy] === v)), 'sum'),
          ),
        };
      }
      case 'api': {
        const scopes = ref.perRoute ? routes.map((r) => `${r.method} ${r.path}`) : [undefined];
        return {
          lines: scopes.map((route) => {
            const filter: Record<string, string> = route ? { route } : {};
            const label = route ?? 'all routes';
            const count = mergeSeries(sources.store.find(region, localApiNamespace, 'Count', filter));
            switch (ref.metric) {
              case 'Count':
                return line(label, count, 'sum');
              case '4xx':
              case '5xx':
                return line(
                  label,
                  mergeSeries(sources.store.find(region, localApiNamespace, ref.metric, filter)),
                  'sum',
                );
              case '5xxRate': {
                const errors = mergeSeries(sources.store.find(region, localApiNamespace, '5xx', filter));
                const rate = count.map((p) => {
                  const e = errors.find((x) => x.minute === p.minute)?.sum ?? 0;
                  const v = p.sum > 0 ? (100 * e) / p.sum : 0;
                  return { ...p, sum: v, count: 1, reservoir: [v], max: v };
                });
                return line(`${label} 5xx %`, rate, 'max');
              }
              case 'LatencyP50':
                return line(
                  label,
                  mergeSeries(sources.store.find(region, localApiNamespace, 'Latency', filter)),
                  'p50',
                );
              case 'LatencyP99':
                return line(
                  label,
                  mergeSeries(sources.store.find(region, localApiNamespace, 'Latency', filter)),
                  'p99',
                );
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
            return line(
              fn,
              id ? mergeSeries(sources.store.find(region, localLambdaNamespace, metricName, { function: id })) : [],
              aggregate,
            );
          }),
        };
      }
      case 'queue': {
        const queues = sources.queues();
        return {
          lines: ref.queues.map((q) => {
            const [fn, kind] = q.split('.') as [string, string];
            const needle = `${pascal(fn)}${kind === 'onFailure' ? 'OnFailureQueue' : ''}`.toLowerCase();
            const depth = Object.entries(queues)
              .filter(([name]) => name.includes(needle))
              .reduce((n, [, records]) => n + records.length, 0);
            return { label: q, points: minutes.map((_, i) => (i === minutes.length - 1 ? depth : null)), total: depth };
          }),
        };
      }
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
        widgets: s.widgets.map((w) => {
          const results = w.metrics.map(widgetLines);
          const note = results.find((r) => r.note)?.note;
          return {
            title: w.title,
            help: w.help,
            lines: results.flatMap((r) => r.lines),
            ...(note !== undefined && { note }),
          };
        }),
      })),
    })),
    alarms: alarms.map((a) => ({ id: a.id, title: a.title, thresholds: a.thresholds, runbook: a.runbook })),
  };
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function sparkline(points: readonly (number | null)[]): string {
  const values = points.map((p) => p ?? 0);
  const max = Math.max(1, ...values);
  const w = 120;
  const h = 24;
  const step = w / Math.max(1, values.length - 1);
  const path = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" aria-hidden="true"><polyline fill="none" stroke="#2a6fdb" stroke-width="1.5" points="${path}"/></svg>`;
}

const formatNumber = (v: number | null): string => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/** A self-contained page (no external assets) that renders `data` and refreshes itself. */
export function dashboardHtml(data: DashboardData): string {
  const sections = data.dashboards
    .map(
      (d) =>
        `<h1>${escapeHtml(d.title)} <small>${escapeHtml(data.region)}</small></h1><p class="audience">${escapeHtml(d.audience)}</p>` +
        d.sections
          .map(
            (s) =>
              `<h2>${escapeHtml(s.title)}</h2><div class="grid">` +
              s.widgets
                .map((w) => {
                  const rows = w.lines
                    .map(
                      (l) =>
                        `<tr><td>${escapeHtml(l.label)}</td><td>${sparkline(l.points)}</td><td class="n">${formatNumber(l.total)}</td></tr>`,
                    )
                    .join('');
                  const body = w.note ? `<p class="note">${escapeHtml(w.note)}</p>` : `<table>${rows}</table>`;
                  return `<section><h3>${escapeHtml(w.title)}</h3><p class="help">${escapeHtml(w.help)}</p>${body}</section>`;
                })
                .join('') +
              '</div>',
          )
          .join(''),
    )
    .join('');
  const alarmRows = data.alarms
    .map((a) => {
      const thresholds = Object.entries(a.thresholds as Record<string, { value: number; reason: string }>)
        .map(([severity, t]) => `<b>${escapeHtml(severity)}</b> ${t.value}: ${escapeHtml(t.reason)}`)
        .join('<br>');
      return `<tr><td>${escapeHtml(a.title)}</td><td>${thresholds}</td><td>${escapeHtml(a.runbook)}</td></tr>`;
    })
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<title>UCX local dashboard (${escapeHtml(data.region)})</title>
<style>body{font:13px system-ui,sans-serif;margin:1em 2em;color:#222}h1{font-size:20px;margin-top:1.5em}h2{font-size:15px;border-bottom:1px solid #ccc}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}section{border:1px solid #ddd;border-radius:4px;padding:6px 10px}
h3{font-size:13px;margin:0}.help,.audience,.note{color:#666;margin:2px 0 6px}table{border-collapse:collapse;width:100%}td{padding:1px 4px;vertical-align:middle}
td.n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>
<p>Last ${data.windowMinutes} minutes, per minute; the number is the window's total (counts) or percentile (latency). Generated ${escapeHtml(data.generatedAt)}; refreshes every 10 s. Data: <a href="/local/dashboard.json">/local/dashboard.json</a>.</p>
${sections}<h1>Alarms (deployed in the cloud, not evaluated locally)</h1><table><tr><th>alarm</th><th>thresholds</th><th>on-call</th></tr>${alarmRows}</table></body></html>`;
}
