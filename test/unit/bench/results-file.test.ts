import { readFileSync } from 'node:fs';
import { benchResultsSchema } from '#bench/cost';
import { resultsFileSchema } from '#bench/results-schema';
import { withBenchTable } from '#bench/stats';

const results: unknown = JSON.parse(readFileSync(new URL('../../../bench/results.json', import.meta.url), 'utf8'));

describe('bench/results.json', () => {
  it('is one run written whole: its date, commit, machine and every row judged', () => {
    const parsed = resultsFileSchema.parse(results);
    expect(parsed.rows.length).toBeGreaterThan(0);
    for (const row of parsed.rows)
      if (row.value !== null)
        expect(row.verdict).toBe(
          row.goal.op === '<='
            ? row.value <= row.goal.value
              ? 'holds'
              : 'missed'
            : row.value >= row.goal.value
              ? 'holds'
              : 'missed',
        );
  });

  it('is what the cost model reads', () => {
    expect(() => benchResultsSchema.parse(results)).not.toThrow();
  });

  it('goes into the docs between the bench markers', () => {
    expect(withBenchTable('x\n<!-- bench:start -->\n<!-- bench:end -->\n', 'T')).toBe(
      'x\n<!-- bench:start -->\nT\n<!-- bench:end -->\n',
    );
  });
});
