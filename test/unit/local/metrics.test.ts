import { dashboardData } from '#local/dashboard';
import { localApiNamespace, MetricStore, parseEmfLine, percentile } from '#local/metrics';

const T = Date.parse('2026-03-02T09:00:30.000Z');

const emf = (name: string, dims: Record<string, string>, value: number | number[]) =>
  JSON.stringify({
    _aws: {
      Timestamp: T,
      CloudWatchMetrics: [
        {
          Namespace: 'UcxCloud',
          Dimensions: [['service', ...Object.keys(dims)]],
          Metrics: [{ Name: name, Unit: 'Count' }],
        },
      ],
    },
    service: 'ucx-cloud',
    ...dims,
    [name]: value,
  });

describe('parseEmfLine', () => {
  it('reads a Powertools EMF record: namespace, metric, dimensions, values, timestamp', () => {
    // Act
    const samples = parseEmfLine(emf('Activations', { status: '201' }, 1));

    // Assert
    expect(samples).toEqual([
      {
        namespace: 'UcxCloud',
        name: 'Activations',
        dimensions: { service: 'ucx-cloud', status: '201' },
        values: [1],
        timestamp: T,
      },
    ]);
  });

  it('leaves ordinary log lines alone (undefined), JSON or not', () => {
    // Assert
    expect(parseEmfLine('{"level":"INFO","message":"silent sweep"}')).toBeUndefined();
    expect(parseEmfLine('plain text')).toBeUndefined();
    expect(parseEmfLine('{"_aws": broken')).toBeUndefined();
  });

  it('reads array values and one sample per dimension set', () => {
    // Arrange
    const line = JSON.stringify({
      _aws: {
        Timestamp: T,
        CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['a'], ['a', 'b']], Metrics: [{ Name: 'M' }] }],
      },
      a: 'x',
      b: 'y',
      M: [1, 2],
    });

    // Act
    const samples = parseEmfLine(line)!;

    // Assert
    expect(samples.map((s) => [s.dimensions, s.values])).toEqual([
      [{ a: 'x' }, [1, 2]],
      [{ a: 'x', b: 'y' }, [1, 2]],
    ]);
  });
});

describe('MetricStore', () => {
  it('aggregates per region, metric, dimensions and minute: sum and count', () => {
    // Arrange
    const store = new MetricStore({ now: () => T });

    // Act
    store.recordEmf('eu', parseEmfLine(emf('Activations', { status: '201' }, 1))!);
    store.recordEmf('eu', parseEmfLine(emf('Activations', { status: '201' }, 1))!);
    store.recordEmf('eu', parseEmfLine(emf('Activations', { status: '409' }, 1))!);
    store.recordEmf('us', parseEmfLine(emf('Activations', { status: '201' }, 1))!);

    // Assert
    const eu201 = store.find('eu', 'UcxCloud', 'Activations', { status: '201' });
    expect(eu201).toHaveLength(1);
    expect(eu201[0]!.points).toEqual([
      expect.objectContaining({ minute: Date.parse('2026-03-02T09:00:00.000Z'), sum: 2, count: 2 }),
    ]);
    expect(store.find('eu', 'UcxCloud', 'Activations')).toHaveLength(2);
    expect(store.find('us', 'UcxCloud', 'Activations')).toHaveLength(1);
  });

  it('keeps a bounded reservoir per minute for percentiles', () => {
    // Arrange
    const store = new MetricStore({ now: () => T, reservoirSize: 50 });
    const key = { region: 'eu', namespace: localApiNamespace, name: 'Latency', dimensions: { route: 'GET /x' } };

    // Act
    for (let i = 1; i <= 1000; i++) store.record(key, i, T);

    // Assert
    const [point] = store.find('eu', localApiNamespace, 'Latency')[0]!.points;
    expect(point!.count).toBe(1000);
    expect(point!.reservoir).toHaveLength(50);
    expect(point!.max).toBe(1000);
  });

  it('drops minutes older than its retention', () => {
    // Arrange
    let now = T;
    const store = new MetricStore({ now: () => now, retentionMinutes: 5 });
    const key = { region: 'eu', namespace: 'UcxCloud', name: 'BeatsAccepted', dimensions: {} };
    store.record(key, 1, T);

    // Act
    now = T + 10 * 60_000;
    store.record(key, 1, now);

    // Assert
    expect(store.find('eu', 'UcxCloud', 'BeatsAccepted')[0]!.points).toHaveLength(1);
  });
});

describe('percentile', () => {
  it('is nearest-rank', () => {
    // Assert
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('dashboardData', () => {
  it("lays out the definition's dashboards and fills business metrics split by their dimension", () => {
    // Arrange
    const store = new MetricStore({ now: () => T });
    store.recordEmf('eu', parseEmfLine(emf('FindingsOpened', { ruleId: 'disk', severity: 'critical' }, 1))!);
    store.recordEmf('eu', parseEmfLine(emf('FindingsOpened', { ruleId: 'cpu', severity: 'critical' }, 1))!);

    // Act
    const data = dashboardData('eu', { store, functionLogicalIds: [], queues: () => ({}), now: () => T });

    // Assert
    expect(data.dashboards.map((d) => d.id)).toEqual(['service', 'support']);
    const widget = data.dashboards[1]!.sections.flatMap((s) => s.widgets).find(
      (w) => w.title === 'Findings opened by severity',
    )!;
    expect(widget.lines.find((l) => l.label === 'FindingsOpened critical')!.total).toBe(2);
    expect(widget.lines.find((l) => l.label === 'FindingsOpened warning')!.total).toBe(0);
    expect(data.alarms.length).toBeGreaterThan(0);
  });
});
