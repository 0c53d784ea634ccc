import { CachedLicenceFacts, factsFromLicence } from '#lambdas/adapters/licence-facts';
import { buildLicenseContent, signIfChanged } from '#lambdas/core/licensing/license';
import type { Entitlement, Installation } from '#lambdas/core/licensing/model';
import { rule as careExpiring } from '#lambdas/core/rules/catalogue/care-expiring';
import { audienceOf } from '#lambdas/core/rules/engine';
import { DAY_MS, FakeSigner, FixedClock, T0 } from '#test/support/licensing-fixtures';
import { runRule, tickAt } from '#test/support/rules-harness';

const day = (n: number) => new Date(T0.getTime() + n * DAY_MS).toISOString();
const installation = { installationId: 'inst_00000009', accountId: 'acc_00000001', nodes: ['UCX-NODE-1'] };

/** A licence as the cloud signs it: `payload` claims under an ES256 header (only the payload is read). */
const licenceWith = (products: unknown[]) =>
  `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify({ products, telemetry: { enabled: true } })).toString('base64url')}.sig`;

const goldUntil = (expiresAt: string) => [
  { product: 'attendant-console', capacity: 5, kind: 'perpetual', care: { level: 'gold', expiresAt } },
];

async function signedLicence(entitlements: Entitlement[], allocation: Installation['allocation']) {
  const content = buildLicenseContent({
    installationId: installation.installationId,
    account: { accountId: installation.accountId, telemetryEnabled: true },
    allocation,
    activatedAt: day(-1),
    entitlements,
    installations: [],
    at: T0,
    nextPollSeconds: 3600,
  });
  return (await signIfChanged(content, await FakeSigner.create(), { now: T0, ttlDays: 30, basedOnRev: 0 })).license;
}

describe('factsFromLicence', () => {
  it('serves a Gold customer whose Care has ended as one without Care, though the licence still names it', () => {
    // Arrange: a licence signed while the Care still ran, read after its end
    const lapsed = licenceWith(goldUntil(day(-1)));
    const running = licenceWith(goldUntil(day(10)));

    // Act
    const afterTheEnd = factsFromLicence(lapsed, installation, T0);
    const beforeTheEnd = factsFromLicence(running, installation, T0);

    // Assert
    expect(afterTheEnd.careLevel).toBe('none');
    expect(audienceOf(afterTheEnd.careLevel)).toBe('customer');
    expect(beforeTheEnd.careLevel).toBe('gold');
    expect(audienceOf(beforeTheEnd.careLevel)).toBe('proactive');
  });

  it('takes the best level that still runs when one product’s Care has lapsed and another’s has not', () => {
    // Arrange
    const licence = licenceWith([
      { product: 'ivr', capacity: 2, kind: 'perpetual', care: { level: 'platinum', expiresAt: day(-3) } },
      { product: 'acd', capacity: 2, kind: 'perpetual', care: { level: 'basic', expiresAt: day(30) } },
    ]);

    // Act
    const facts = factsFromLicence(licence, installation, T0);

    // Assert
    expect(facts.careLevel).toBe('basic');
  });

  it('reads the real Care end: a care line renewing Care keeps care-expiring quiet', async () => {
    // Arrange: Gold until day 20 on the perpetual line, renewed for a year by a care line
    const license = await signedLicence(
      [
        {
          entitlementId: 'PO-1#01',
          product: 'attendant-console',
          kind: 'perpetual',
          quantity: 5,
          startsAt: day(-300),
          care: { level: 'gold', startsAt: day(-300), endsAt: day(20) },
        },
        {
          entitlementId: 'PO-2#01',
          product: 'attendant-console',
          kind: 'care',
          quantity: 0,
          care: { level: 'gold', startsAt: day(20), endsAt: day(385) },
        },
      ],
      { 'attendant-console': 5 },
    );

    // Act
    const facts = factsFromLicence(license.jws, installation, T0);
    const run = runRule(careExpiring, [tickAt(T0.getTime())], { licence: facts });

    // Assert
    expect(facts.products[0]?.care).toEqual({ level: 'gold', expiresAt: day(385) });
    expect(run.open()).toEqual([]);
  });
});

describe('CachedLicenceFacts', () => {
  it('judges Care at every read: Care that lapses while the facts are cached stops counting then', async () => {
    // Arrange
    const clock = new FixedClock();
    let reads = 0;
    const repo = {
      getInstallation: async () => {
        reads++;
        return {
          ...installation,
          status: 'active',
          license: { jws: licenceWith(goldUntil(day(0.5))) },
        } as unknown as Installation;
      },
    };
    const facts = new CachedLicenceFacts(repo, 24 * 3_600_000, 100, clock);

    // Act
    const before = await facts.factsFor(installation.installationId);
    clock.advanceDays(0.5);
    const after = await facts.factsFor(installation.installationId);

    // Assert
    expect(reads).toBe(1);
    expect(before?.careLevel).toBe('gold');
    expect(after?.careLevel).toBe('none');
  });
});

describe('factsFromLicence and a shortfall', () => {
  it('keeps a product’s shortfall for the rules (care-expiring names it)', () => {
    // Arrange
    const shortfall = { quantity: 3, enforcedAt: day(20) };
    const jws = licenceWith([{ product: 'ivr', capacity: 8, kind: 'subscription', expiresAt: day(20), shortfall }]);

    // Act
    const facts = factsFromLicence(jws, installation, T0);

    // Assert
    expect(facts.products[0]?.shortfall).toEqual(shortfall);
  });
});
