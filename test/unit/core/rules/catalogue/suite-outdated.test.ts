import { compareVersions, rule } from '#lambdas/core/rules/catalogue/suite-outdated';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const suite = (at: number, version: string) => beatAt('ucx.suite', at, { version });
const issues = {
  knownIssues: [
    { versions: ['2025.1'], severity: 'critical', issue: 'data loss on upgrade' },
    { versions: ['2025.1.2'], severity: 'info', issue: 'cosmetic' },
  ],
};

describe('suite-outdated', () => {
  it('reports a version with a known issue, matched by whole dotted components', () => {
    const hit = runRule(rule, [suite(T0, '2025.1.3')], { overrides: { 'suite-outdated': issues } });
    const neighbour = runRule(rule, [suite(T0, '2025.10.0')], { overrides: { 'suite-outdated': issues } });

    expect(hit.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'critical',
        evidence: { version: '2025.1.3', issue: 'data loss on upgrade' },
      }),
    ]);
    expect(neighbour.open()).toHaveLength(0);
  });

  it('keeps the worst of several matches', () => {
    const run = runRule(rule, [suite(T0, '2025.1.2')], { overrides: { 'suite-outdated': issues } });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'critical' })]);
  });

  it('warns below the oldest supported version and not at it, and resolves after two beats on a good one', () => {
    const floor = { overrides: { 'suite-outdated': { oldestSupported: '2023.1' } } };
    const at = runRule(rule, [suite(T0, '2023.1')], floor);
    const run = runRule(
      rule,
      [suite(T0, '2022.12.9'), suite(T0 + HOUR, '2025.4.1'), suite(T0 + 2 * HOUR, '2025.4.1')],
      floor,
    );

    expect(at.open()).toHaveLength(0);
    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual(['opened:warning', 'resolved:warning']);
    expect(run.steps[1]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('compares versions numerically, component by component', () => {
    expect(compareVersions('2025.10', '2025.9')).toBe(1);
    expect(compareVersions('2025.1', '2025.1.0')).toBe(0);
    expect(compareVersions('2022.12.9', '2023.1')).toBe(-1);
  });

  it('says nothing without a maintained table: no example issues or floor ship', () => {
    const run = runRule(rule, [suite(T0, '2019.1.0'), suite(T0 + HOUR, '2024.2.0')]);

    expect(rule.config.parse({})).toEqual(expect.objectContaining({ knownIssues: [], oldestSupported: null }));
    expect(run.open()).toHaveLength(0);
  });
});
