import { ForbiddenError, ValidationError } from '#lambdas/core/errors';
import {
  listSupportInstallations,
  supportInstallationsQuerySchema,
} from '#lambdas/core/support/list-support-installations';
import type { OpenFindingSummary } from '#lambdas/core/support/ports';
import { healthOf, principals, supportWorld, T0, type SupportWorld } from '#test/support/support-fixtures';

let world: SupportWorld;

const hoursAgo = (hours: number) => new Date(T0.getTime() - hours * 3_600_000).toISOString();
const finding = (severity: OpenFindingSummary['severity']): OpenFindingSummary => ({
  findingId: `fnd_${severity}`,
  ruleId: 'db-express-cap',
  subject: 'UCX',
  severity,
  openedAt: hoursAgo(1),
});

beforeEach(async () => {
  world = await supportWorld();
  world.store.putHealth(
    healthOf('inst_a1', 'acc_a', { lastBeatAt: hoursAgo(30), careLevel: 'gold', openFindings: [finding('critical')] }),
  );
  world.store.putHealth(
    healthOf('inst_b2', 'acc_b', { lastBeatAt: hoursAgo(2), careLevel: 'basic', openFindings: [finding('warning')] }),
  );
  world.store.putHealth(
    healthOf('inst_c3', 'acc_c', { lastBeatAt: hoursAgo(48), careLevel: 'platinum', openFindings: [] }),
  );
  world.store.putHealth(
    healthOf('inst_d4', 'acc_a', { lastBeatAt: hoursAgo(1), careLevel: 'gold', openFindings: [finding('info')] }),
  );
});

const ids = (view: { installations: { installationId: string }[] }) =>
  view.installations.map((i) => i.installationId).sort();

describe('listSupportInstallations', () => {
  it('lists installations of every account with their account, Care and open findings', async () => {
    const view = await listSupportInstallations(world.deps, principals.support, {});

    expect(ids(view)).toEqual(['inst_a1', 'inst_b2', 'inst_c3', 'inst_d4']);
    expect(view.installations.find((i) => i.installationId === 'inst_a1')).toMatchObject({
      accountId: 'acc_a',
      careLevel: 'gold',
      audience: 'proactive',
    });
    expect(view.nextCursor).toBeNull();
  });

  it('keeps installations with an open finding at least as severe as asked', async () => {
    const view = await listSupportInstallations(world.deps, principals.backoffice, { severity: 'warning' });

    expect(ids(view)).toEqual(['inst_a1', 'inst_b2']);
  });

  it('filters by Care level and by hours of silence', async () => {
    const gold = await listSupportInstallations(world.deps, principals.support, { care: 'gold' });
    const silent = await listSupportInstallations(world.deps, principals.support, { silentHours: 24 });
    const both = await listSupportInstallations(world.deps, principals.support, { silentHours: 24, care: 'platinum' });

    expect(ids(gold)).toEqual(['inst_a1', 'inst_d4']);
    expect(ids(silent)).toEqual(['inst_a1', 'inst_c3']);
    expect(ids(both)).toEqual(['inst_c3']);
  });

  it('pages across the index buckets with a cursor, each installation once', async () => {
    const seen: string[] = [];

    let cursor: string | undefined;
    do {
      const page = await listSupportInstallations(world.deps, principals.support, {
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.installations.map((i) => i.installationId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(seen.sort()).toEqual(['inst_a1', 'inst_b2', 'inst_c3', 'inst_d4']);
  });

  it('is for support and back office only', async () => {
    await expect(listSupportInstallations(world.deps, principals.customer(world.accountId), {})).rejects.toThrow(
      ForbiddenError,
    );
    await expect(listSupportInstallations(world.deps, principals.reseller(), {})).rejects.toThrow(ForbiddenError);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(
      listSupportInstallations(world.deps, principals.support, { cursor: 'eyJidWNrZXQiOjk5fQ' }),
    ).rejects.toThrow(ValidationError);
  });

  it('parses the query strictly', () => {
    expect(supportInstallationsQuerySchema.parse({ silentHours: '24', limit: '10' })).toEqual({
      silentHours: 24,
      limit: 10,
    });
    expect(supportInstallationsQuerySchema.safeParse({ care: 'silver' }).success).toBe(false);
    expect(supportInstallationsQuerySchema.safeParse({ sevrity: 'critical' }).success).toBe(false);
  });

  it('filters by rule (with the severity when given), and names the customer, its region and the acknowledged', async () => {
    const { accountId } = world;
    const dns: OpenFindingSummary = {
      findingId: 'fnd_dns',
      ruleId: 'dns-single',
      subject: 'installation',
      severity: 'info',
      openedAt: hoursAgo(5),
    };
    world.store.putHealth(
      healthOf('inst_e5', accountId, { lastBeatAt: hoursAgo(3), openFindings: [dns, finding('warning')] }),
    );
    await world.store.acknowledge({
      ackId: 'ack_1',
      findingId: 'fnd_dns',
      installationId: 'inst_e5',
      accountId,
      at: hoursAgo(1),
      by: 'sub-support-1',
      note: 'customer told',
    });

    const byRule = await listSupportInstallations(world.deps, principals.support, { rule: 'dns-single' });
    const byRuleAndSeverity = await listSupportInstallations(world.deps, principals.support, {
      rule: 'dns-single',
      severity: 'warning',
    });

    expect(ids(byRule)).toEqual(['inst_e5']);
    expect(byRule.installations[0]).toMatchObject({
      accountName: 'Contoso Clinic',
      accountRegion: 'eu',
      openFindings: [
        expect.objectContaining({ findingId: 'fnd_warning', acknowledged: false }),
        expect.objectContaining({ findingId: 'fnd_dns', acknowledged: true }),
      ],
    });
    expect(ids(byRuleAndSeverity)).toEqual([]);
    expect(supportInstallationsQuerySchema.safeParse({ rule: 'Not A Rule' }).success).toBe(false);
  });

  it('filters by suite release and SQL edition from the fleet facts', async () => {
    const facts = new Map([
      ['inst_a1', { suiteVersion: '2025.4.1', sqlEdition: 'Express Edition' }],
      ['inst_b2', { suiteVersion: '2025.40.0', sqlEdition: 'Standard Edition' }],
      ['inst_c3', { suiteVersion: '2025.4.7' }],
    ]);
    const deps = { ...world.deps, fleetFacts: { factsOf: async () => facts } };

    const release = await listSupportInstallations(deps, principals.support, { suiteRelease: '2025.4' });
    const edition = await listSupportInstallations(deps, principals.support, {
      suiteRelease: '2025.4',
      sqlEdition: 'Express Edition',
    });

    expect(ids(release)).toEqual(['inst_a1', 'inst_c3']);
    expect(ids(edition)).toEqual(['inst_a1']);
  });
});
