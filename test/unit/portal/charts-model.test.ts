import {
  chartSummary,
  formatValue,
  inAbout,
  plotModel,
  tableRows,
  usageSeries,
  type FindingChart,
  type HistoryResponse,
  type HistorySeries,
} from '#portal/src/charts-model';

const GIB = 1024 ** 3;
const DAY = 86_400_000;
const now = Date.parse('2026-03-10T12:00:00Z');

/** A database series as the history route answers it: one point a day, growing 0.1 GiB a day. */
const database: HistorySeries = {
  key: 'database:UCX:sizeBytes',
  label: 'Database UCX size',
  unit: 'bytes',
  points: [3, 2, 1, 0].map((daysAgo) => {
    const v = (9.2 - daysAgo * 0.1) * GIB;
    return [now - daysAgo * DAY, v, v, v] as const;
  }),
};
/** A finding's chart as the findings routes answer it (contract.md). */
const capChart: FindingChart = {
  series: 'database:UCX:sizeBytes',
  thresholds: [{ label: 'cap', value: 10 * GIB }],
  forecast: { at: new Date(now + 41 * DAY).toISOString(), value: 10 * GIB },
};
const history: Pick<HistoryResponse, 'range' | 'to'> = { range: '7d', to: new Date(now).toISOString() };
const consoles: HistorySeries = {
  key: 'consoles:connected',
  label: 'Connected attendant consoles',
  unit: 'count',
  capacity: 5,
  points: [
    [now - 2 * 900_000, 2, 1, 3],
    [now - 900_000, 4, 3, 5],
    [now, 3, 3, 3],
  ],
};

describe('formatValue', () => {
  it('says sizes in binary multiples under their everyday names, percent and counts as they are', () => {
    expect(formatValue(10 * GIB, 'bytes')).toBe('10 GB');
    expect(formatValue(9.2 * GIB, 'bytes')).toBe('9.2 GB');
    expect(formatValue(512 * 1024 ** 2, 'bytes')).toBe('512 MB');
    expect(formatValue(900, 'bytes')).toBe('900 bytes');
    expect(formatValue(42.25, 'percent')).toBe('42.3 %');
    expect(formatValue(7, 'count')).toBe('7');
    expect(formatValue(2.55, 'count')).toBe('2.6');
    expect(formatValue(Number.NaN, 'count')).toBe('—');
  });
});

describe('inAbout', () => {
  it('rounds to whole days, and says when the time has come', () => {
    expect(inAbout('2026-04-20T12:00:00Z', '2026-03-10T12:00:00Z')).toBe('in about 41 days');
    expect(inAbout('2026-03-11T13:00:00Z', '2026-03-10T12:00:00Z')).toBe('in about 1 day');
    expect(inAbout('2026-03-10T18:00:00Z', '2026-03-10T12:00:00Z')).toBe('within a day');
    expect(inAbout('2026-03-09T12:00:00Z', '2026-03-10T12:00:00Z')).toBe('already');
  });
});

describe('chartSummary', () => {
  it('says a database finding in one line: now, its cap, and when it reaches it', () => {
    expect(chartSummary(database, history, capChart)).toBe(
      'Database UCX size: 9.2 GB now, cap 10 GB, reaches it in about 41 days',
    );
  });

  it('says what the forecast reaches when there are several lines, and a label with its own number as it is', () => {
    const chart: FindingChart = {
      ...capChart,
      thresholds: [
        { label: 'cap 10 GB', value: 10 * GIB },
        { label: 'warning at 80 %', value: 8 * GIB },
      ],
    };

    expect(chartSummary(database, history, chart)).toBe(
      'Database UCX size: 9.2 GB now, cap 10 GB, warning at 80 %, reaches 10 GB in about 41 days',
    );
  });

  it('says usage against the licensed capacity and its peak in the range', () => {
    expect(chartSummary(consoles, history)).toBe(
      'Connected attendant consoles: 3 now, licensed capacity 5, peak 5 in the last 7 days',
    );
  });

  it('says when the range holds no point', () => {
    expect(chartSummary({ ...consoles, points: [] }, { ...history, range: '24h' })).toBe(
      'Connected attendant consoles: no data in the last 24 hours',
    );
  });
});

describe('plotModel', () => {
  it('draws the series, the cap over the whole width and the forecast from the last point to the cap', () => {
    const model = plotModel(database, capChart);

    expect(model.xs).toEqual([...database.points.map((p) => p[0] / 1000), (now + 41 * DAY) / 1000]);
    expect(model.lines.map((l) => [l.label, l.kind])).toEqual([
      ['Database UCX size', 'series'],
      ['cap', 'threshold'],
      ['forecast', 'forecast'],
    ]);
    expect(model.lines[0]!.values).toEqual([...database.points.map((p) => p[1]), null]);
    expect(model.lines[1]!.values).toEqual(model.xs.map(() => 10 * GIB));
    expect(model.lines[2]!.values).toEqual([null, null, null, database.points[3]![1], 10 * GIB]);
  });

  it('leaves out a forecast that lies before the last point', () => {
    const stale = { ...capChart, forecast: { at: new Date(now - DAY).toISOString(), value: 10 * GIB } };

    const model = plotModel(database, stale);

    expect(model.xs).toHaveLength(database.points.length);
    expect(model.lines.map((l) => l.kind)).toEqual(['series', 'threshold']);
  });

  it('draws a usage series against its licensed capacity', () => {
    const model = plotModel(consoles);

    expect(model.lines.map((l) => [l.label, l.kind, l.values])).toEqual([
      ['Connected attendant consoles', 'series', [2, 4, 3]],
      ['licensed capacity', 'capacity', [5, 5, 5]],
    ]);
  });
});

describe('tableRows and usageSeries', () => {
  it('lists each point in UTC with its average, minimum and maximum in the unit', () => {
    expect(tableRows(consoles)[1]).toEqual(['2026-03-10 11:45 UTC', '4', '3', '5']);
    expect(tableRows(database)[3]).toEqual(['2026-03-10 12:00 UTC', '9.2 GB', '9.2 GB', '9.2 GB']);
  });

  it('picks the series that carry a licensed capacity', () => {
    const calls: HistorySeries = { ...consoles, key: 'calls:ivr:active', label: 'IVR active calls', capacity: 20 };

    expect(usageSeries({ series: [database, consoles, calls] }).map((s) => s.key)).toEqual([
      'consoles:connected',
      'calls:ivr:active',
    ]);
  });
});
