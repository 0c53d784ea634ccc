import { benchTable, goalText, judge, median, pairedRatio, percentile, verdict } from '#bench/stats';
import { countErrors, parseFleetSummary } from '#bench/fleet-row';

describe('bench statistics', () => {
  it('takes medians and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });

  it('pairs ABAB rounds so a slow phase of the machine cancels out', () => {
    // The machine got twice as slow for the last two pairs: both sides slowed, the ratio did not.
    expect(pairedRatio([1.2, 1.2, 2.4, 2.4], [1, 1, 2, 2])).toBeCloseTo(1.2);
  });

  it('judges against ≤ and ≥ goals, and a missing figure is "not run"', () => {
    expect(verdict({ op: '<=', value: 1.3, unit: '×' }, 1.3)).toBe('holds');
    expect(verdict({ op: '<=', value: 1.3, unit: '×' }, 1.31)).toBe('missed');
    expect(verdict({ op: '>=', value: 20_000, unit: '' }, 19_999)).toBe('missed');
    expect(verdict({ op: '>=', value: 20_000, unit: '' }, null)).toBe('not run');
    expect(goalText({ op: '>=', value: 20_000, unit: '' })).toBe('≥ 20,000');
  });

  it('prints one row per measure with its goal and verdict', () => {
    const out = benchTable([
      judge({ name: 'poll', value: 1.1, unit: '×', goal: { op: '<=', value: 1.3, unit: '×' }, detail: 'd' }),
      judge({
        name: 'fleet',
        value: null,
        unit: '',
        goal: { op: '<=', value: 0, unit: '' },
        detail: 'not run: fleet simulator missing',
      }),
    ]);
    expect(out).toContain('| poll ');
    expect(out).toMatch(/1\.10× +\| ≤ 1\.30× +\| holds/);
    expect(out).toMatch(/— +\| ≤ 0\.00 +\| not run/);
  });
});

describe('fleet summary', () => {
  const stdout = `1000 installations (1000 activated), 200 s, 3000 cycles
requests 9000 (45.0/s), 5xx 1

| route                              | requests | statuses       | p50 ms | p90 ms | p99 ms | max ms |
| ---------------------------------- | -------- | -------------- | ------ | ------ | ------ | ------ |
| GET /v1/installations/{id}/license | 3000     | 200×1000 304×2000 | 8 | 20 | 41 | 90 |
| POST /v1/activations               | 1000     | 201×999 503×1  | 30     | 60     | 120    | 300    |
| (unreachable)                      | 2        | network×2      | 0      | 0      | 0      | 0      |
`;
  it('reads every route row and counts errors (5xx, network, 4xx but 421)', () => {
    const routes = parseFleetSummary(stdout);
    expect(routes.map((r) => r.route)).toEqual([
      'GET /v1/installations/{id}/license',
      'POST /v1/activations',
      '(unreachable)',
    ]);
    expect(routes[0]).toMatchObject({ requests: 3000, p99: 41, statuses: { '200': 1000, '304': 2000 } });
    expect(countErrors(routes)).toBe(3);
    expect(countErrors([{ ...routes[0]!, statuses: { '421': 5, '404': 1 } }])).toBe(1);
  });
});
