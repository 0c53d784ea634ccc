import { rule } from '#lambdas/core/rules/catalogue/cluster-mismatch';
import { beatAt, HOUR, licenceFacts, runRule, T0 } from '#test/support/rules-harness';

const cluster = (at: number, ...nodes: string[]) => beatAt('ucx.cluster', at, { nodes });
const licence = licenceFacts({ activatedNodes: ['UCX-NODE-1', 'UCX-NODE-2'] });

describe('cluster-mismatch', () => {
  it('opens after two beats with a difference, not one', () => {
    const once = runRule(rule, [cluster(T0, 'ucx-node-1.acme.local')], { licence });
    const twice = runRule(
      rule,
      [cluster(T0, 'ucx-node-1.acme.local'), cluster(T0 + HOUR, 'ucx-node-1.acme.local', 'ucx-node-3')],
      {
        licence,
      },
    );

    expect(once.open()).toHaveLength(0);
    expect(twice.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'warning',
        evidence: { missing: ['UCX-NODE-2'], unexpected: ['ucx-node-3'] },
      }),
    ]);
  });

  it('matches FQDN and short names case-insensitively, and IPv4 addresses whole', () => {
    const names = runRule(
      rule,
      [cluster(T0, 'UCX-node-2.acme.local', 'ucx-node-1'), cluster(T0 + HOUR, 'ucx-node-1', 'ucx-node-2')],
      {
        licence,
      },
    );
    const ips = licenceFacts({ activatedNodes: ['10.0.0.5'] });
    const differentIp = runRule(rule, [cluster(T0, '10.0.0.6'), cluster(T0 + HOUR, '10.0.0.6')], { licence: ips });

    expect(names.changes()).toEqual([]);
    expect(differentIp.open()).toHaveLength(1);
  });

  it('resolves after two matching beats', () => {
    const run = runRule(
      rule,
      [
        cluster(T0, 'ucx-node-1'),
        cluster(T0 + HOUR, 'ucx-node-1'),
        cluster(T0 + 2 * HOUR, 'ucx-node-1', 'ucx-node-2'),
        cluster(T0 + 3 * HOUR, 'ucx-node-1', 'ucx-node-2'),
      ],
      { licence },
    );

    expect(run.steps.map((s) => s.changes.map((c) => c.kind))).toEqual([[], ['opened'], [], ['resolved']]);
  });

  it('takes per-account matching', () => {
    const run = runRule(
      rule,
      [
        cluster(T0, 'ucx-node-1.acme.local', 'ucx-node-2.acme.local'),
        cluster(T0 + HOUR, 'ucx-node-1.acme.local', 'ucx-node-2.acme.local'),
      ],
      {
        licence,
        overrides: { 'cluster-mismatch': { shortNames: false } },
      },
    );

    expect(run.open()).toHaveLength(1);
  });
});
