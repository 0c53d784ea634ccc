/**
 * An installation's charts (uPlot): a 24 h / 7 d / 90 d switch over one history query, a finding's
 * series with its thresholds and forecast, and usage against licensed capacity. Each chart has its
 * summary sentence and a table of its points as the text alternative; the canvas itself is hidden
 * from assistive technology. uPlot is loaded on the first chart (its own chunk, and /uplot.css).
 */
import type uPlot from 'uplot';
import { api } from './api';
import {
  chartSummary,
  formatValue,
  historyRanges,
  plotModel,
  rangeWords,
  tableRows,
  thresholdText,
  usageSeries,
  type FindingChart,
  type HistoryRange,
  type HistoryResponse,
  type HistorySeries,
  type LineKind,
  type PlotModel,
} from './charts-model';
import { h, replace } from './dom';
import { ApiError, describeProblem } from './problem';
import { table } from './ui';

export interface ChartedFinding {
  readonly findingId: string;
  readonly chart?: FindingChart;
}

export interface InstallationHistory {
  /** the range switch and its status line */
  readonly controls: HTMLElement;
  /** where the finding's chart is drawn; null when the finding has none */
  findingChart(finding: ChartedFinding): HTMLElement | null;
  /** one chart per usage series, each against its licensed capacity */
  readonly usage: HTMLElement;
}

/** A week shows a database's or a counter's trend; 24 hours and 90 days are one click away. */
export const DEFAULT_RANGE: HistoryRange = '7d';

let uplotModule: Promise<typeof uPlot> | undefined;

function loadUPlot(): Promise<typeof uPlot> {
  uplotModule ??= (async () => {
    usableLanguage();
    if (!document.querySelector('link[data-uplot]'))
      document.head.append(h('link', { rel: 'stylesheet', href: '/uplot.css', 'data-uplot': '' }));
    return (await import('uplot')).default;
  })();
  return uplotModule;
}

/**
 * uPlot makes an Intl.NumberFormat of navigator.language when it loads; Chromium under a POSIX
 * locale (LANG=C) reports `en-US@posix`, which Intl refuses, and the import would fail.
 */
function usableLanguage(): void {
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
  }
}

// Colours keep 3:1 against the white page (WCAG 1.4.11), the same as the page's severity words.
const strokes: Record<LineKind, readonly string[]> = {
  series: ['#0b5cad'],
  threshold: ['#8a1020', '#6b4a00'],
  capacity: ['#1d6b2c'],
  forecast: ['#0b5cad'],
};
const dashes: Partial<Record<LineKind, number[]>> = { threshold: [4, 3], capacity: [10, 4], forecast: [6, 4] };

let switches = 0;
const resolutionWords: Record<number, string> = { 60: '1-minute', 900: '15-minute', 3600: '1-hour' };

export function installationHistory(
  installationId: string,
  initial: HistoryRange = DEFAULT_RANGE,
): InstallationHistory {
  const name = `history-range-${++switches}`;
  const status = h('p', { class: 'hint', role: 'status' }, 'Loading the history…');
  const radios = historyRanges.map((r) =>
    h('input', { type: 'radio', name, value: r.range, checked: r.range === initial }),
  );
  const controls = h(
    'div',
    { class: 'history-controls' },
    h(
      'fieldset',
      { class: 'range-switch' },
      h('legend', null, 'Show the history of'),
      historyRanges.map((r, i) => h('label', null, radios[i]!, ` ${r.label}`)),
    ),
    status,
  );
  const usage = h('div', { class: 'charts', 'data-charts': 'usage' });
  const slots = new Map<string, { slot: HTMLElement; chart: FindingChart }>();
  let plots: uPlot[] = [];
  let latest = 0;

  const draw = async (range: HistoryRange) => {
    const request = ++latest;
    status.textContent = `Loading ${rangeWords(range)}…`;
    let history: HistoryResponse;
    let UPlot: typeof uPlot;
    try {
      [history, UPlot] = await Promise.all([
        api<HistoryResponse>('GET', `/v1/installations/${encodeURIComponent(installationId)}/history?range=${range}`),
        loadUPlot(),
      ]);
    } catch (error) {
      if (request !== latest) return;
      const words = `The history could not be loaded: ${problemWords(error)}`;
      status.textContent = words;
      for (const { slot } of slots.values()) replace(slot, h('p', { class: 'empty' }, words));
      replace(usage, h('p', { class: 'empty' }, words));
      return;
    }
    if (request !== latest) return;
    for (const plot of plots) plot.destroy();
    plots = [];
    const resolution = resolutionWords[history.resolutionSeconds];
    status.textContent = `Showing ${rangeWords(range)}${resolution ? ` in ${resolution} points` : ''}.`;
    const byKey = new Map(history.series.map((s) => [s.key, s]));
    for (const { slot, chart } of slots.values()) {
      const series = byKey.get(chart.series);
      if (!series) {
        replace(slot, h('p', { class: 'empty' }, `No history of this finding’s counter in ${rangeWords(range)}.`));
        continue;
      }
      replace(
        slot,
        chartFigure(UPlot, series, history, chart, (plot) => plots.push(plot)),
      );
    }
    const used = usageSeries(history);
    replace(
      usage,
      used.length === 0
        ? h('p', { class: 'empty' }, `No usage counters in ${rangeWords(range)}.`)
        : used.map((s) => chartFigure(UPlot, s, history, undefined, (plot) => plots.push(plot))),
    );
  };

  for (const radio of radios)
    radio.addEventListener('change', () => radio.checked && void draw(radio.value as HistoryRange));
  // The slots the page asks for while it is built are in place when the answer comes.
  void draw(initial);

  return {
    controls,
    usage,
    findingChart(finding) {
      if (!finding.chart) return null;
      const slot = h(
        'div',
        { class: 'charts', 'data-charts': 'finding' },
        h('p', { class: 'empty' }, 'Loading the chart…'),
      );
      slots.set(finding.findingId, { slot, chart: finding.chart });
      return slot;
    },
  };
}

function problemWords(error: unknown): string {
  if (error instanceof ApiError) return describeProblem(error.problem).join(' ');
  return error instanceof Error ? error.message : String(error);
}

let tables = 0;

/**
 * One chart: its summary as the caption, the plot (hidden from assistive technology: the summary
 * and the table say the same), a legend in words, and the points as a table, built when opened.
 */
function chartFigure(
  UPlot: typeof uPlot,
  series: HistorySeries,
  history: HistoryResponse,
  chart: FindingChart | undefined,
  created: (plot: uPlot) => void,
): HTMLElement {
  const model = plotModel(series, chart);
  const summary = chartSummary(series, history, chart);
  const plotBox = h('div', { class: 'chart-plot', 'aria-hidden': 'true' });
  const points = h(
    'details',
    { class: 'chart-table' },
    h('summary', null, `Table of the ${series.points.length} points`),
  );
  points.addEventListener(
    'toggle',
    () => {
      if (!points.open || points.querySelector('table')) return;
      points.append(
        table(
          `${series.label}, ${rangeWords(history.range)} (${++tables})`,
          ['Time', 'Average', 'Minimum', 'Maximum'],
          tableRows(series),
          'No points.',
        ),
      );
    },
    false,
  );
  const legend = h(
    'ul',
    { class: 'chart-legend' },
    model.lines.map((line, i) =>
      h(
        'li',
        null,
        h('span', { class: `swatch swatch-${line.kind}-${strokeIndex(model, i)}` }),
        legendText(line.label, line, series),
      ),
    ),
  );
  const figure = h(
    'figure',
    { class: 'chart', 'data-series-key': series.key },
    h('figcaption', { class: 'chart-summary' }, summary),
    plotBox,
    legend,
    points,
  );
  if (series.points.length === 0) {
    plotBox.hidden = true;
    return figure;
  }
  const plot = new UPlot(plotOptions(UPlot, model, plotBox.clientWidth || 320), plotData(model), plotBox);
  created(plot);
  figure.dataset['uplotSeriesCount'] = String(plot.series.length);
  figure.dataset['plotted'] = plot.series
    .slice(1)
    .map((s) => String(s.label))
    .join(' | ');
  // Follows its box's width (the page's width, a phone turned): never wider than the page.
  new ResizeObserver(() => {
    const width = plotBox.clientWidth;
    if (width > 0 && width !== plot.width) plot.setSize({ width, height: plot.height });
  }).observe(plotBox);
  return figure;
}

function legendText(label: string, line: PlotModel['lines'][number], series: HistorySeries): string {
  if (line.kind === 'series') return label;
  const value = line.values.find((v) => v !== null);
  if (line.kind === 'forecast') return `${label} (dashed)`;
  return value === undefined || value === null
    ? label
    : thresholdText({ label, value }, (v) => formatValue(v, series.unit));
}

/** The n-th line of its kind takes the n-th colour of the kind (the first threshold the darkest). */
function strokeIndex(model: PlotModel, index: number): number {
  const kind = model.lines[index]!.kind;
  const nth = model.lines.slice(0, index).filter((l) => l.kind === kind).length;
  return Math.min(nth, strokes[kind].length - 1);
}

function plotData(model: PlotModel): uPlot.AlignedData {
  return [model.xs as number[], ...model.lines.map((l) => l.values as (number | null)[])];
}

function plotOptions(UPlot: typeof uPlot, model: PlotModel, width: number): uPlot.Options {
  const unit = model.unit;
  return {
    width,
    height: 220,
    legend: { show: false },
    // Times in UTC, as everywhere in the portal.
    tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true } },
    axes: [{}, { size: 72, values: (_u, splits) => splits.map((v) => formatValue(v, unit)) }],
    series: [
      {},
      ...model.lines.map((line, i): uPlot.Series => {
        const dash = dashes[line.kind];
        return {
          label: line.label,
          stroke: strokes[line.kind][strokeIndex(model, i)],
          width: line.kind === 'series' ? 2 : 1.5,
          ...(dash && { dash }),
          // level lines need no dots; the forecast's two ends do; the series' show when sparse (uPlot decides)
          ...(line.kind !== 'series' && { points: { show: line.kind === 'forecast' } }),
          value: (_u, v) => (v === null || v === undefined ? '—' : formatValue(v, unit)),
        };
      }),
    ],
  };
}
