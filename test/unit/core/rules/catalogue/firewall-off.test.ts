import { rule } from '#lambdas/core/rules/catalogue/firewall-off';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const firewall = (at: number, domain: boolean, priv: boolean, pub: boolean) =>
  beatAt('software.firewall', at, { domain, private: priv, public: pub });

describe('firewall-off', () => {
  it('warns when the public profile is off, and not for the other profiles alone', () => {
    const publicOff = runRule(rule, [firewall(T0, true, true, false)]);
    const othersOff = runRule(rule, [firewall(T0, false, false, true)]);

    expect(publicOff.open()).toEqual([
      expect.objectContaining({ subject: 'public', severity: 'warning', status: 'open' }),
    ]);
    expect(othersOff.open()).toHaveLength(0);
  });

  it('turns critical when every profile is off, and resolves after two beats with it on', () => {
    const run = runRule(rule, [
      firewall(T0, true, true, false),
      firewall(T0 + HOUR, false, false, false),
      firewall(T0 + 2 * HOUR, true, true, true),
      firewall(T0 + 3 * HOUR, true, true, true),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.subject}:${c.severity}`)).toEqual([
      'opened:public:warning',
      'escalated:public:critical',
      'resolved:public:critical',
    ]);
    expect(run.steps[2]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('takes per-account severities per profile', () => {
    const run = runRule(rule, [firewall(T0, false, true, true)], {
      overrides: { 'firewall-off': { offSeverity: { domain: 'warning' } } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'domain', severity: 'warning' })]);
  });
});
