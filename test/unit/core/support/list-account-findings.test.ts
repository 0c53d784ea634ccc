import { ForbiddenError, NotFoundError } from '#lambdas/core/errors';
import type { FindingRecord } from '#lambdas/core/rules/engine';
import { findingWords } from '#lambdas/core/rules/explain';
import { acknowledgeFinding } from '#lambdas/core/support/acknowledge-finding';
import { listAccountFindings } from '#lambdas/core/support/list-account-findings';
import { CALLS_AT_ONCE } from '#lambdas/core/settle-limited';
import {
  accountReaders,
  findingOf,
  healthOf,
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
  world.store.putHealth(healthOf(world.otherInstallationId, world.otherAccountId));
});

describe('listAccountFindings', () => {
  it('lists the account’s open findings of every audience, newest change first, and no other account’s', async () => {
    const older = findingOf(world.installationId, world.accountId, {
      audience: 'customer',
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    const newer = findingOf(world.installationId, world.accountId, {
      audience: 'support',
      updatedAt: '2026-03-02T00:00:00.000Z',
    });
    const resolved = findingOf(world.installationId, world.accountId, { status: 'resolved' });
    const foreign = findingOf(world.otherInstallationId, world.otherAccountId);
    for (const f of [older, newer, resolved, foreign]) world.store.putFinding(f);

    const { findings } = await listAccountFindings(world.deps, principals.customer(world.accountId), world.accountId, {
      status: 'open',
    });

    expect(findings).toEqual([inWords(newer), inWords(older)]);
  });

  it('answers resolved ones when asked', async () => {
    const resolved = findingOf(world.installationId, world.accountId, { status: 'resolved' });
    world.store.putFinding(resolved);
    world.store.putFinding(findingOf(world.installationId, world.accountId));

    const { findings } = await listAccountFindings(world.deps, principals.support, world.accountId, {
      status: 'resolved',
    });

    expect(findings).toEqual([{ ...inWords(resolved), acknowledgements: [] }]);
  });

  it('gives staff the acknowledgements and hides the notes from the customer and its reseller', async () => {
    const finding = findingOf(world.installationId, world.accountId);
    world.store.putFinding(finding);
    await acknowledgeFinding(world.deps, principals.backoffice, world.installationId, finding.findingId, {
      note: 'internal: ticket 4711',
    });

    const staff = await listAccountFindings(world.deps, principals.support, world.accountId, { status: 'open' });
    const customer = await listAccountFindings(world.deps, principals.customer(world.accountId), world.accountId, {
      status: 'open',
    });
    const reseller = await listAccountFindings(world.deps, principals.reseller(RESELLER_ID), world.accountId, {
      status: 'open',
    });

    expect(staff.findings[0]?.acknowledgements).toMatchObject([{ note: 'internal: ticket 4711' }]);
    expect(JSON.stringify(customer)).not.toContain('ticket 4711');
    expect(JSON.stringify(reseller)).not.toContain('ticket 4711');
    expect(customer.findings[0]).not.toHaveProperty('acknowledgements');
  });

  it('lets exactly support, back office, the customer itself and its reseller read them', async () => {
    world.store.putFinding(findingOf(world.installationId, world.accountId));

    for (const [, principal, permitted] of accountReaders(world)) {
      const attempt = listAccountFindings(world.deps, principal, world.accountId, { status: 'open' });

      if (permitted) await expect(attempt).resolves.toMatchObject({ findings: [{ accountId: world.accountId }] });
      else await expect(attempt).rejects.toThrow(ForbiddenError);
    }
  });

  it('answers 404 to back office for an unknown account', async () => {
    const attempt = listAccountFindings(world.deps, principals.backoffice, 'acc_doesnotexist', { status: 'open' });

    await expect(attempt).rejects.toThrow(NotFoundError);
  });
});

describe('listAccountFindings for an account of many installations', () => {
  it(`reads their acknowledgements at most ${CALLS_AT_ONCE} at a time, every one of them`, async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `inst_many${String(i).padStart(11, '0')}`);
    for (const id of ids) world.store.putFinding(findingOf(id, world.accountId));
    const read = world.store.acknowledgements.bind(world.store);
    let inFlight = 0;
    let most = 0;
    const asked = new Set<string>();
    world.store.acknowledgements = async (installationId, findingId) => {
      most = Math.max(most, ++inFlight);
      asked.add(installationId);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return read(installationId, findingId);
    };

    const { findings } = await listAccountFindings(world.deps, principals.support, world.accountId, { status: 'open' });

    expect(findings).toHaveLength(60);
    expect(asked).toEqual(new Set(ids));
    expect(most).toBe(CALLS_AT_ONCE);
  });
});
