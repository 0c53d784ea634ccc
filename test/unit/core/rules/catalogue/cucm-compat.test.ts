import { rule } from '#lambdas/core/rules/catalogue/cucm-compat';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const suite = (at: number, version: string) => beatAt('ucx.suite', at, { version });
const voip = (at: number, cucmVersion: string) => beatAt('ucx.voip', at, { cucmVersion });
/** a back-office table, as the rules Lambda lays it under the config (config-sources.ts) */
const table = {
  matrix: [
    { suite: '2024', cucm: ['12.5', '14', '15'] },
    { suite: '2025', cucm: ['12.5', '14', '15'] },
  ],
};
const withTable = { overrides: { 'cucm-compat': table } };

describe('cucm-compat', () => {
  it('warns when the CUCM version is not certified for the suite version, and not when it is', () => {
    const uncertified = runRule(rule, [suite(T0, '2025.4.1'), voip(T0 + HOUR, '11.5.1.21900-40')], withTable);
    const certified = runRule(rule, [suite(T0, '2025.4.1'), voip(T0 + HOUR, '14.0.1.13900-155')], withTable);

    expect(uncertified.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'warning',
        evidence: { suite: '2025.4.1', cucm: '11.5.1.21900-40', certified: ['12.5', '14', '15'] },
      }),
    ]);
    expect(certified.open()).toHaveLength(0);
  });

  it('waits for both versions and resolves after two beats once the CUCM is upgraded', () => {
    const run = runRule(
      rule,
      [
        voip(T0, '11.5.1.21900-40'),
        suite(T0 + HOUR, '2025.4.1'),
        voip(T0 + 2 * HOUR, '15.0.1.10000-32'),
        voip(T0 + 3 * HOUR, '15.0.1.10000-32'),
      ],
      withTable,
    );

    expect(run.steps[0]!.changes).toEqual([]);
    expect(run.changes().map((c) => c.kind)).toEqual(['opened', 'resolved']);
    expect(run.steps[2]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('uses the most specific suite entry and leaves unlisted suites alone by default', () => {
    const matrix = [
      { suite: '2025', cucm: ['14'] },
      { suite: '2025.4', cucm: ['15'] },
    ];
    const specific = runRule(rule, [suite(T0, '2025.4.1'), voip(T0, '14.0.1')], {
      overrides: { 'cucm-compat': { matrix } },
    });
    const unlisted = runRule(rule, [suite(T0, '2019.1'), voip(T0, '10.5.2')], withTable);
    const strict = runRule(rule, [suite(T0, '2019.1'), voip(T0, '10.5.2')], {
      overrides: { 'cucm-compat': { ...table, unlistedSeverity: 'info' } },
    });

    expect(specific.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect(unlisted.open()).toHaveLength(0);
    expect(strict.open()).toEqual([expect.objectContaining({ severity: 'info' })]);
  });

  it('says nothing without a maintained table: no example matrix ships', () => {
    const run = runRule(rule, [suite(T0, '2025.4.1'), voip(T0 + HOUR, '11.5.1.21900-40')]);

    expect(rule.config.parse({}).matrix).toEqual([]);
    expect(run.open()).toHaveLength(0);
  });
});
