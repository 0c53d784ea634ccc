/** The licence's telemetry cycle (DESIGN "One request per cycle"): Care level, support's override, and when each ends. */
import { buildLicense, type LicenseInputs } from '#lambdas/core/licensing/license';
import type { Entitlement } from '#lambdas/core/licensing/model';
import { careCycleSeconds, defaultCycleSeconds } from '#lambdas/core/telemetry/cadence';
import { DAY_MS, T0 } from '#test/support/licensing-fixtures';

const day = (n: number) => new Date(T0.getTime() + n * DAY_MS).toISOString();

const perpetual = (product: Entitlement['product'], care?: Entitlement['care']): Entitlement => ({
  entitlementId: `PO-${product}#01`,
  product,
  kind: 'perpetual',
  quantity: 10,
  startsAt: day(-100),
  ...(care && { care }),
});

const inputs = (overrides: Partial<LicenseInputs> = {}): LicenseInputs => ({
  installationId: 'inst_00000007',
  account: { accountId: 'acc_00000001', telemetryEnabled: true },
  allocation: { ivr: 1, acd: 1 },
  activatedAt: day(-1),
  entitlements: [perpetual('ivr'), perpetual('acd')],
  installations: [],
  at: T0,
  nextPollSeconds: 900,
  ...overrides,
});

describe('the licence telemetry cycle', () => {
  it('is the default cycle without Care', () => {
    const { content } = buildLicense(inputs());

    expect(content.telemetry).toEqual({ enabled: true, intervalSeconds: defaultCycleSeconds });
  });

  it('is the shortest cycle of the Care levels covering the products now', () => {
    const entitlements = [
      perpetual('ivr', { level: 'basic', endsAt: day(30) }),
      perpetual('acd', { level: 'gold', endsAt: day(10) }),
    ];

    const { content, validUntil } = buildLicense(inputs({ entitlements }));

    expect(content.telemetry.intervalSeconds).toBe(careCycleSeconds.gold);
    // Gold lapsing changes the cycle: the stored licence is stale from then on.
    expect(validUntil).toBe(day(10));
    expect(buildLicense(inputs({ entitlements, at: new Date(day(11)) })).content.telemetry.intervalSeconds).toBe(
      careCycleSeconds.basic,
    );
  });

  it("follows support's override until it ends, then the Care level's again", () => {
    const telemetryOverride = { seconds: 60, until: day(1) };
    const entitlements = [perpetual('ivr', { level: 'platinum', endsAt: day(300) }), perpetual('acd')];

    const during = buildLicense(inputs({ entitlements, telemetryOverride }));
    const after = buildLicense(inputs({ entitlements, telemetryOverride, at: new Date(day(1)) }));

    expect(during.content.telemetry.intervalSeconds).toBe(60);
    expect(during.validUntil).toBe(day(1));
    expect(after.content.telemetry.intervalSeconds).toBe(careCycleSeconds.platinum);
    expect(after.validUntil).toBe(day(300));
  });
});
