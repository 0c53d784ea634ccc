import { rule } from '#lambdas/core/rules/catalogue/dhcp-server';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const adapter = (name: string, dhcpEnabled: boolean, ipAddresses = ['10.0.0.25']) => ({
  name,
  dhcpEnabled,
  dnsServers: ['10.0.0.10', '10.0.0.11'],
  gateways: ['10.0.0.1'],
  ipAddresses,
});
const network = (hour: number, ...adapters: ReturnType<typeof adapter>[]) =>
  beatAt('hardware.network', T0 + hour * HOUR, { adapters });

describe('dhcp-server', () => {
  it('opens a warning on the first beat an addressed adapter has DHCP on, and is quiet with static addresses', () => {
    const dhcp = runRule(rule, [network(0, adapter('Ethernet0', true), adapter('Ethernet1', false))]);
    const fixed = runRule(rule, [network(0, adapter('Ethernet0', false))]);

    expect(dhcp.steps[0]!.changes).toEqual([
      { kind: 'opened', subject: 'Ethernet0', severity: 'warning', ruleId: 'dhcp-server' },
    ]);
    expect(fixed.open()).toHaveLength(0);
  });

  it('ignores adapters without an address', () => {
    const run = runRule(rule, [network(0, adapter('Bluetooth', true, []))]);

    expect(run.open()).toHaveLength(0);
  });

  it('resolves after two beats with a static address, not one', () => {
    const run = runRule(rule, [
      network(0, adapter('Ethernet0', true)),
      network(1, adapter('Ethernet0', false)),
      network(2, adapter('Ethernet0', false)),
    ]);

    expect(run.steps[1]!.changes).toEqual([]);
    expect(run.steps[2]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'Ethernet0' })]);
  });

  it('resolves and forgets an adapter that is gone', () => {
    const run = runRule(rule, [
      network(0, adapter('Ethernet0', true), adapter('Ethernet1', false)),
      network(1, adapter('Ethernet1', false)),
      network(2, adapter('Ethernet1', false)),
    ]);

    expect(run.steps[2]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'Ethernet0' })]);
    expect(run.state!.memory['dhcp-server']!.facts).toEqual({ subjects: { p: ['Ethernet1'] } });
  });

  it('takes per-account settings', () => {
    const run = runRule(rule, [network(0, adapter('Backup NIC', true), adapter('Ethernet0', true))], {
      overrides: { 'dhcp-server': { ignoreAdapters: '^backup', severity: 'info' } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'Ethernet0', severity: 'info' })]);
  });
});
