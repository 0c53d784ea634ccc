import { ForbiddenError, NotFoundError, ValidationError } from '#lambdas/core/errors';
import type { Principal } from '#lambdas/core/licensing/access';
import type { FindingRecord } from '#lambdas/core/rules/engine';
import { findingWords } from '#lambdas/core/rules/explain';
import { acknowledgeFinding } from '#lambdas/core/support/acknowledge-finding';
import { findingsQuerySchema } from '#lambdas/core/support/findings-view';
import { listInstallationFindings } from '#lambdas/core/support/list-installation-findings';
import { parseWith } from '#lambdas/shared/http';
import {
  findingOf,
  healthOf,
  OTHER_RESELLER_ID,
  principals,
  RESELLER_ID,
  supportWorld,
  type SupportWorld,
} from '#test/support/support-fixtures';

let world: SupportWorld;
/** a stored finding as the route answers it: with its words */
const inWords = (f: FindingRecord) => ({ ...f, ...findingWords(f) });

beforeEach(async () => {
  world = await supportWorld();
  world.store.putHealth(healthOf(world.installationId, world.accountId));
});

describe('listInstallationFindings', () => {
  it('shows open findings by default, newest change first, with evidence and history', async () => {
    const older = findingOf(world.installationId, world.accountId, { updatedAt: '2026-03-01T00:00:00.000Z' });
    const newer = findingOf(world.installationId, world.accountId, {
      updatedAt: '2026-03-02T00:00:00.000Z',
      ruleId: 'dns-single',
    });
    const resolved = findingOf(world.installationId, world.accountId, {
      status: 'resolved',
      resolvedAt: '2026-03-02T01:00:00.000Z',
    });
    for (const f of [older, newer, resolved]) world.store.putFinding(f);

    const { findings } = await listInstallationFindings(world.deps, principals.support, world.installationId, {
      status: 'open',
    });

    expect(findings).toEqual([
      { ...inWords(newer), acknowledgements: [] },
      { ...inWords(older), acknowledgements: [] },
    ]);
  });

  it('says each finding in words, the same for the customer as for support, computed from its evidence', async () => {
    world.store.putFinding(findingOf(world.installationId, world.accountId));

    const customer = await listInstallationFindings(
      world.deps,
      principals.customer(world.accountId),
      world.installationId,
      {
        status: 'open',
      },
    );
    const support = await listInstallationFindings(world.deps, principals.support, world.installationId, {
      status: 'open',
    });

    expect(customer.findings[0]).toMatchObject({
      title: 'Database UCX near the SQL Server Express cap',
      message: 'SQL Server Express database UCX is at 8.2 GB of its 10 GB cap (82 %).',
      nextStep: expect.stringContaining('SQL Server Standard'),
      chart: { series: 'database:UCX:sizeBytes', thresholds: [{ label: 'cap 10 GB', value: 10_737_418_240 }] },
    });
    const { acknowledgements: _, ...supportWords } = support.findings[0]!;
    expect(supportWords).toEqual(customer.findings[0]);
  });

  it.each([
    ['resolved', 1],
    ['all', 2],
    ['open', 1],
  ] as const)('filters by status %s', async (status, expected) => {
    world.store.putFinding(findingOf(world.installationId, world.accountId));
    world.store.putFinding(findingOf(world.installationId, world.accountId, { status: 'resolved' }));

    const { findings } = await listInstallationFindings(world.deps, principals.backoffice, world.installationId, {
      status,
    });

    expect(findings).toHaveLength(expected);
  });

  it('shows support every audience, marked', async () => {
    const audiences = ['proactive', 'support', 'customer'] as const;
    for (const audience of audiences) {
      world.store.putFinding(findingOf(world.installationId, world.accountId, { audience }));
    }

    const { findings } = await listInstallationFindings(world.deps, principals.support, world.installationId, {
      status: 'open',
    });

    expect(findings.map((f) => f.audience).sort()).toEqual(['customer', 'proactive', 'support']);
  });

  it('gives staff the acknowledgements and the customer and its reseller no support notes', async () => {
    const finding = findingOf(world.installationId, world.accountId, { audience: 'customer', careLevel: 'none' });
    world.store.putFinding(finding);
    await acknowledgeFinding(world.deps, principals.support, world.installationId, finding.findingId, {
      note: 'called the DBA',
    });

    const staff = await listInstallationFindings(world.deps, principals.backoffice, world.installationId, {
      status: 'open',
    });
    const customer = await listInstallationFindings(
      world.deps,
      principals.customer(world.accountId),
      world.installationId,
      { status: 'open' },
    );
    const reseller = await listInstallationFindings(
      world.deps,
      principals.reseller(RESELLER_ID),
      world.installationId,
      { status: 'open' },
    );

    expect(staff.findings[0]?.acknowledgements).toMatchObject([{ note: 'called the DBA', by: principals.support.sub }]);
    for (const view of [customer, reseller]) {
      expect(view.findings).toEqual([inWords(finding)]);
      expect(JSON.stringify(view)).not.toContain('called the DBA');
    }
  });

  it.each<[string, (w: SupportWorld) => Principal, boolean]>([
    ['support', () => principals.support, true],
    ['back office', () => principals.backoffice, true],
    ['the customer itself', (w) => principals.customer(w.accountId), true],
    ['another customer', (w) => principals.customer(w.otherAccountId), false],
    ['its reseller', () => principals.reseller(RESELLER_ID), true],
    ['another reseller', () => principals.reseller(OTHER_RESELLER_ID), false],
  ])('lets %s read them: %s', async (_who, principal, permitted) => {
    world.store.putFinding(findingOf(world.installationId, world.accountId));

    const attempt = listInstallationFindings(world.deps, principal(world), world.installationId, { status: 'all' });

    if (permitted)
      await expect(attempt).resolves.toMatchObject({ findings: [{ installationId: world.installationId }] });
    else await expect(attempt).rejects.toThrow(ForbiddenError);
  });

  it('answers 404 for an installation without telemetry', async () => {
    const attempt = listInstallationFindings(world.deps, principals.support, 'inst_unknown00000', { status: 'open' });

    await expect(attempt).rejects.toThrow(NotFoundError);
  });
});

describe('findingsQuerySchema', () => {
  it('defaults to open', () => {
    expect(findingsQuerySchema.parse({})).toEqual({ status: 'open' });
  });

  it('names the failing query parameter', () => {
    const parse = () => parseWith(findingsQuerySchema, { status: 'closed' }, ['query']);

    expect(parse).toThrow(
      expect.objectContaining({
        constructor: ValidationError,
        errors: [{ path: 'query.status', message: expect.any(String) }],
      }),
    );
  });
});
