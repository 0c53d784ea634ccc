/**
 * What an installation's charts show, without the DOM: the history route's answer
 * (`GET /v1/installations/{id}/history`), a finding's `chart`, and from them the plotted lines, the
 * one-line summary and the table that stand in for the picture. portal/src/charts.ts draws them.
 */

export type HistoryRange = '24h' | '7d' | '90d';
export type SeriesUnit = 'percent' | 'bytes' | 'count';

/** `[tEpochMs, avg, min, max]` */
export type HistoryPoint = readonly [number, number, number, number];

export interface HistorySeries {
  readonly key: string;
  readonly label: string;
  readonly unit: SeriesUnit;
  readonly points: readonly HistoryPoint[];
  /** the licence's capacity, on usage series (active calls per application, connected consoles) */
  readonly capacity?: number;
}

export interface HistoryResponse {
  readonly installationId: string;
  readonly range: HistoryRange;
  readonly resolutionSeconds: number;
  readonly from: string;
  /** the cloud's time when it answered: "now" for the summaries (the browser's clock may differ) */
  readonly to: string;
  readonly series: readonly HistorySeries[];
}

/** A finding's picture, as the findings routes answer it. */
export interface FindingChart {
  readonly series: string;
  readonly thresholds: readonly { readonly label: string; readonly value: number }[];
  readonly forecast?: { readonly at: string; readonly value: number };
}

export const historyRanges: readonly {
  readonly range: HistoryRange;
  readonly label: string;
  readonly words: string;
}[] = [
  { range: '24h', label: '24 hours', words: 'the last 24 hours' },
  { range: '7d', label: '7 days', words: 'the last 7 days' },
  { range: '90d', label: '90 days', words: 'the last 90 days' },
];

export const rangeWords = (range: HistoryRange): string => historyRanges.find((r) => r.range === range)?.words ?? range;

export const isHistoryRange = (value: unknown): value is HistoryRange => historyRanges.some((r) => r.range === value);

const byteUnits = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** Binary multiples under their everyday names, as SQL Server and Windows show sizes (10 GB = 10 × 1024³). */
export function formatValue(value: number, unit: SeriesUnit): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'percent') return `${trim(value)} %`;
  if (unit === 'count') return Number.isInteger(value) ? String(value) : trim(value);
  let scaled = value;
  let i = 0;
  while (Math.abs(scaled) >= 1024 && i < byteUnits.length - 1) {
    scaled /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(scaled)} bytes` : `${trim(scaled)} ${byteUnits[i]}`;
}

/** One decimal below 100, none above; no trailing `.0`. */
function trim(value: number): string {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return String(rounded);
}

const DAY_MS = 86_400_000;

/** "in about 41 days" from `now` to `at`; "already" when `at` is not later. */
export function inAbout(at: string, now: string): string {
  const days = (Date.parse(at) - Date.parse(now)) / DAY_MS;
  if (!(days > 0)) return 'already';
  if (days < 1) return 'within a day';
  const whole = Math.round(days);
  return `in about ${whole} ${whole === 1 ? 'day' : 'days'}`;
}

/** `2026-12-05 07:36 UTC`: the portal shows times in UTC everywhere. */
export const utcMinute = (epochMs: number): string =>
  `${new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

/** A usage series' capacity line is named for what it is. */
export const CAPACITY_LABEL = 'licensed capacity';
export const FORECAST_LABEL = 'forecast';

/**
 * The summary that stands in for the chart, e.g. "UCX database: 9.2 GB now, cap 10 GB, reaches it
 * in about 41 days" or "Active IVR calls: 12 now, licensed capacity 20, peak 18 in the last 7 days".
 */
export function chartSummary(
  series: HistorySeries,
  history: Pick<HistoryResponse, 'range' | 'to'>,
  chart?: FindingChart,
): string {
  const fmt = (v: number) => formatValue(v, series.unit);
  const last = series.points.at(-1);
  if (!last) return `${series.label}: no data in ${rangeWords(history.range)}`;
  const parts = [`${fmt(last[1])} now`];
  const thresholds = chart?.thresholds ?? [];
  for (const t of thresholds) parts.push(thresholdText(t, fmt));
  if (series.capacity !== undefined) parts.push(`${CAPACITY_LABEL} ${fmt(series.capacity)}`);
  const forecast = drawableForecast(series, chart);
  if (forecast) {
    // "it" only when it cannot be read as another line
    const what = thresholds.length === 1 && thresholds[0]!.value === forecast.value ? 'it' : fmt(forecast.value);
    parts.push(`reaches ${what} ${inAbout(forecast.at, history.to)}`);
  } else {
    const peak = Math.max(...series.points.map((p) => p[3]));
    parts.push(`peak ${fmt(peak)} in ${rangeWords(history.range)}`);
  }
  return `${series.label}: ${parts.join(', ')}`;
}

/** "cap 10 GB"; a label that says its own number ("cap 10 GB", "warning at 80 %") stands alone. */
export function thresholdText(
  t: { readonly label: string; readonly value: number },
  fmt: (v: number) => string,
): string {
  return /\d/.test(t.label) ? t.label : `${t.label} ${fmt(t.value)}`;
}

/** The forecast when it lies after the series' last point (an older one says nothing about where it goes). */
export function drawableForecast(series: HistorySeries, chart?: FindingChart): FindingChart['forecast'] | undefined {
  const last = series.points.at(-1);
  const forecast = chart?.forecast;
  if (!last || !forecast || !(Date.parse(forecast.at) > last[0])) return undefined;
  return forecast;
}

export type LineKind = 'series' | 'threshold' | 'capacity' | 'forecast';

export interface PlotLine {
  readonly label: string;
  readonly kind: LineKind;
  /** one value per x; null where the line has no point */
  readonly values: readonly (number | null)[];
}

/** What uPlot draws: the x values (epoch seconds) and one line per drawn series. */
export interface PlotModel {
  readonly unit: SeriesUnit;
  readonly xs: readonly number[];
  readonly lines: readonly PlotLine[];
}

/**
 * The lines of one chart: the series (its averages), each threshold and the licensed capacity as a
 * level line over the whole width, and the forecast from the last point to (forecast.at, value).
 */
export function plotModel(series: HistorySeries, chart?: FindingChart): PlotModel {
  const xs = series.points.map((p) => p[0] / 1000);
  const forecast = drawableForecast(series, chart);
  if (forecast) xs.push(Date.parse(forecast.at) / 1000);
  const level = (value: number) => xs.map(() => value);
  const lines: PlotLine[] = [
    { label: series.label, kind: 'series', values: [...series.points.map((p) => p[1]), ...(forecast ? [null] : [])] },
  ];
  for (const t of chart?.thresholds ?? []) lines.push({ label: t.label, kind: 'threshold', values: level(t.value) });
  if (series.capacity !== undefined)
    lines.push({ label: CAPACITY_LABEL, kind: 'capacity', values: level(series.capacity) });
  if (forecast) {
    const lastIndex = series.points.length - 1;
    lines.push({
      label: FORECAST_LABEL,
      kind: 'forecast',
      values: xs.map((_, i) => (i === lastIndex ? series.points[i]![1] : i === xs.length - 1 ? forecast.value : null)),
    });
  }
  return { unit: series.unit, xs, lines };
}

/** The chart's points as table rows: time, average, minimum, maximum, in the series' unit. */
export function tableRows(series: HistorySeries): string[][] {
  const fmt = (v: number) => formatValue(v, series.unit);
  return series.points.map(([t, avg, min, max]) => [utcMinute(t), fmt(avg), fmt(min), fmt(max)]);
}

/** The usage series drawn against their licensed capacity (active calls per application, connected consoles), by label. */
export function usageSeries(history: Pick<HistoryResponse, 'series'>): HistorySeries[] {
  return history.series.filter((s) => s.capacity !== undefined).sort((a, b) => a.label.localeCompare(b.label));
}
