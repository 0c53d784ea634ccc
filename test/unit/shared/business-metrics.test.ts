import { businessMetrics, emitCount, flushCounts } from '#lambdas/shared/business-metrics';
import { metricName, type BusinessMetricKey } from '#lambdas/shared/business-metrics-definitions';

test('names each business metric by its key in PascalCase, as handlers emit it and dashboards read it', () => {
  const keys = Object.keys(businessMetrics) as BusinessMetricKey[];
  expect(metricName('licencePolls')).toBe('LicencePolls');
  expect(metricName('beatsAccepted')).toBe('BeatsAccepted');
  expect(new Set(keys.map(metricName)).size).toBe(keys.length);
});

/** The EMF records written to stdout while `act` runs, parsed. */
function emfWritten(act: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const metricNames = (record: Record<string, unknown>) =>
  (record._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics.map(
    (m) => m.Name,
  );

describe('emitCount', () => {
  const saved = process.env.METRICS_FLUSH_SECONDS;
  afterEach(() => {
    flushCounts();
    jest.useRealTimers();
    if (saved === undefined) delete process.env.METRICS_FLUSH_SECONDS;
    else process.env.METRICS_FLUSH_SECONDS = saved;
  });

  it('writes each count as its own record by default', () => {
    delete process.env.METRICS_FLUSH_SECONDS;

    const records = emfWritten(() => {
      emitCount('licencePolls', 1, { status: '304' });
      emitCount('licencePolls', 1, { status: '304' });
      emitCount('activations', 0, { status: '201' });
    });

    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ LicencePolls: 1, status: '304', service: 'ucx-cloud' });
  });

  it('with METRICS_FLUSH_SECONDS sums counts per dimension set and writes them once the interval has passed', () => {
    process.env.METRICS_FLUSH_SECONDS = '60';
    jest.useFakeTimers({ now: Date.parse('2026-11-30T10:00:00Z') });

    const early = emfWritten(() => {
      for (let i = 0; i < 100; i++) emitCount('licencePolls', 1, { status: '304' });
      emitCount('licencePolls', 1, { status: '200' });
      emitCount('telemetryBatches', 1, { status: '202' });
      emitCount('beatsAccepted', 50);
      emitCount('beatsAccepted', 48);
    });
    jest.setSystemTime(Date.parse('2026-11-30T10:01:00Z'));
    const atInterval = emfWritten(() => emitCount('licencePolls', 1, { status: '304' }));

    expect(early).toHaveLength(0);
    const byStatus = (status: string | undefined) => atInterval.find((r) => r.status === status)!;
    expect(atInterval).toHaveLength(4); // 304, 200, 202 and the one without a status
    expect(byStatus('304')).toMatchObject({ LicencePolls: 101 });
    expect(byStatus('200')).toMatchObject({ LicencePolls: 1 });
    expect(byStatus('202')).toMatchObject({ TelemetryBatches: 1 });
    expect(byStatus(undefined)).toMatchObject({ BeatsAccepted: 98 });
    expect(metricNames(byStatus(undefined))).toEqual(['BeatsAccepted']);
  });

  it('puts the metrics of one dimension set into one record', () => {
    process.env.METRICS_FLUSH_SECONDS = '60';

    emitCount('beatsAccepted', 50);
    emitCount('beatsRedacted', 2);
    const records = emfWritten(() => flushCounts());

    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ BeatsAccepted: 50, BeatsRedacted: 2 });
    expect(metricNames(records[0]!).sort()).toEqual(['BeatsAccepted', 'BeatsRedacted']);
  });
});
