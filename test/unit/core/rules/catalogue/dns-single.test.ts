import { rule } from '#lambdas/core/rules/catalogue/dns-single';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const adapter = (dnsServers: string[], ipAddresses = ['10.0.0.25']) => ({
  name: `Ethernet ${dnsServers.join(' ')}`,
  dhcpEnabled: false,
  dnsServers,
  gateways: ['10.0.0.1'],
  ipAddresses,
});
const network = (hour: number, ...adapters: ReturnType<typeof adapter>[]) =>
  beatAt('hardware.network', T0 + hour * HOUR, { adapters });

describe('dns-single', () => {
  it('opens a warning with one DNS server, and is quiet with two', () => {
    const single = runRule(rule, [network(0, adapter(['10.0.0.10']))]);
    const two = runRule(rule, [network(0, adapter(['10.0.0.10', '10.0.0.11']))]);

    expect(single.steps[0]!.changes).toEqual([
      { kind: 'opened', subject: 'installation', severity: 'warning', ruleId: 'dns-single' },
    ]);
    expect(single.open()[0]!.evidence).toEqual({ dnsServers: 1, servers: ['10.0.0.10'] });
    expect(two.open()).toHaveLength(0);
  });

  it('counts distinct servers over addressed adapters only', () => {
    const sameTwice = runRule(rule, [network(0, adapter(['10.0.0.10']), adapter(['10.0.0.10']))]);
    const spread = runRule(rule, [network(0, adapter(['10.0.0.10']), adapter(['10.0.0.11']))]);
    const unaddressed = runRule(rule, [network(0, adapter(['10.0.0.10']), adapter(['10.0.0.11'], []))]);

    expect(sameTwice.open()).toHaveLength(1);
    expect(spread.open()).toHaveLength(0);
    expect(unaddressed.open()).toHaveLength(1);
  });

  it('resolves after two beats with two servers, not one', () => {
    const fixed = adapter(['10.0.0.10', '10.0.0.11']);
    const run = runRule(rule, [network(0, adapter([])), network(1, fixed), network(2, fixed)]);

    expect(run.steps[1]!.changes).toEqual([]);
    expect(run.steps[2]!.changes).toEqual([expect.objectContaining({ kind: 'resolved' })]);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [network(0, adapter(['10.0.0.10', '10.0.0.11']))], {
      overrides: { 'dns-single': { minServers: 3 } },
    });

    expect(run.open()).toHaveLength(1);
  });
});
