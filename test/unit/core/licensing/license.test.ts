import {
  buildLicense,
  buildLicenseContent,
  contentHash,
  LICENSE_ISSUER,
  LICENSE_TYPE,
  licenceValidUntil,
  signIfChanged,
  type LicenseContent,
  type LicenseInputs,
} from '#lambdas/core/licensing/license';
import type { Entitlement } from '#lambdas/core/licensing/model';
import { compactVerify, errors } from 'jose';
import { DAY_MS, FakeSigner, T0, verifyLicense } from '#test/support/licensing-fixtures';

const TTL_DAYS = 30;
const T0_SECONDS = Math.floor(T0.getTime() / 1000);
const day = (n: number) => new Date(T0.getTime() + n * DAY_MS).toISOString();

const entitlements: Entitlement[] = [
  {
    entitlementId: 'PO-1#01',
    product: 'ivr',
    kind: 'subscription',
    quantity: 10,
    startsAt: '2026-01-01T00:00:00.000Z',
    endsAt: '2027-01-31T00:00:00.000Z',
  },
  {
    entitlementId: 'PO-1#02',
    product: 'attendant-console',
    kind: 'perpetual',
    quantity: 20,
    startsAt: '2026-01-01T00:00:00.000Z',
    care: { level: 'platinum', startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2027-06-30T00:00:00.000Z' },
  },
  { entitlementId: 'PO-1#03', product: 'acd', kind: 'perpetual', quantity: 3, startsAt: '2026-01-01T00:00:00.000Z' },
];

const inputs = (overrides: Partial<LicenseInputs> = {}): LicenseInputs => ({
  installationId: 'inst_00000007',
  account: { accountId: 'acc_00000001', telemetryEnabled: true },
  allocation: { ivr: 4, 'attendant-console': 5 },
  activatedAt: day(-1),
  entitlements,
  installations: [],
  at: T0,
  nextPollSeconds: 3600,
  ...overrides,
});

function content(overrides: Partial<LicenseContent> = {}): LicenseContent {
  return { ...buildLicenseContent(inputs()), ...overrides };
}

describe('buildLicenseContent', () => {
  it('lists the allocated products, sorted, each with its terms and the Care covering it', () => {
    const built = content();

    expect(built).toEqual({
      sub: 'inst_00000007',
      acc: 'acc_00000001',
      products: [
        {
          product: 'attendant-console',
          capacity: 5,
          kind: 'perpetual',
          care: { level: 'platinum', expiresAt: '2027-06-30T00:00:00.000Z' },
          terms: [{ quantity: 5, kind: 'perpetual' }],
        },
        {
          product: 'ivr',
          capacity: 4,
          kind: 'subscription',
          expiresAt: '2027-01-31T00:00:00.000Z',
          terms: [
            {
              quantity: 4,
              kind: 'subscription',
              startsAt: '2026-01-01T00:00:00.000Z',
              endsAt: '2027-01-31T00:00:00.000Z',
            },
          ],
        },
      ],
      telemetry: { enabled: true, intervalSeconds: 300 },
      nextPollSeconds: 3600,
    });
  });

  it('carries the account telemetry switch', () => {
    const built = buildLicenseContent(
      inputs({
        account: { accountId: 'acc_00000001', telemetryEnabled: false },
        allocation: { acd: 1 },
        nextPollSeconds: 60,
      }),
    );

    expect(built.telemetry).toEqual({ enabled: false, intervalSeconds: 900 });
    expect(built.products).toEqual([
      { product: 'acd', capacity: 1, kind: 'perpetual', terms: [{ quantity: 1, kind: 'perpetual' }] },
    ]);
  });

  describe('with a perpetual 5 and a subscription 3 ending tomorrow', () => {
    const mixed: Entitlement[] = [
      { entitlementId: 'PO-2#01', product: 'ivr', kind: 'perpetual', quantity: 5, startsAt: day(-30) },
      {
        entitlementId: 'PO-3#01',
        product: 'ivr',
        kind: 'subscription',
        quantity: 3,
        startsAt: day(-30),
        endsAt: day(1),
      },
    ];
    const older = {
      installationId: 'inst_old',
      status: 'active' as const,
      allocation: { ivr: 5 },
      activatedAt: day(-20),
    };

    it('says one installation of 8 draws 5 perpetual and 3 ending tomorrow: a subscription that expires then', () => {
      const built = buildLicenseContent(inputs({ entitlements: mixed, allocation: { ivr: 8 } }));

      expect(built.products).toEqual([
        {
          product: 'ivr',
          capacity: 8,
          kind: 'subscription',
          expiresAt: day(1),
          terms: [
            { quantity: 5, kind: 'perpetual' },
            { quantity: 3, kind: 'subscription', startsAt: day(-30), endsAt: day(1) },
          ],
        },
      ]);
    });

    it('backs the oldest installation with the perpetual licences and the newest with those that end first', () => {
      const newer = inputs({ entitlements: mixed, allocation: { ivr: 3 }, installations: [older] });
      const oldest = inputs({
        entitlements: mixed,
        installationId: older.installationId,
        allocation: older.allocation,
        activatedAt: older.activatedAt,
        installations: [
          { ...older },
          { installationId: 'inst_00000007', status: 'active', allocation: { ivr: 3 }, activatedAt: day(-1) },
        ],
      });

      expect(buildLicenseContent(oldest).products).toEqual([
        { product: 'ivr', capacity: 5, kind: 'perpetual', terms: [{ quantity: 5, kind: 'perpetual' }] },
      ]);
      expect(buildLicenseContent(newer).products).toEqual([
        {
          product: 'ivr',
          capacity: 3,
          kind: 'subscription',
          expiresAt: day(1),
          terms: [{ quantity: 3, kind: 'subscription', startsAt: day(-30), endsAt: day(1) }],
        },
      ]);
    });

    it('keeps the allocation the ended subscription leaves uncovered as a shortfall for the grace period, then drops it', () => {
      const afterTheEnd = new Date(day(1));
      const graceEnds = new Date(Date.parse(day(1)) + 30 * DAY_MS);

      const during = buildLicense(inputs({ entitlements: mixed, allocation: { ivr: 8 }, at: afterTheEnd }));
      const lastMoment = buildLicense(
        inputs({ entitlements: mixed, allocation: { ivr: 8 }, at: new Date(graceEnds.getTime() - 1) }),
      );
      const enforced = buildLicense(inputs({ entitlements: mixed, allocation: { ivr: 8 }, at: graceEnds }));

      expect(during.content.products).toEqual([
        {
          product: 'ivr',
          capacity: 8,
          kind: 'subscription',
          expiresAt: graceEnds.toISOString(),
          terms: [{ quantity: 5, kind: 'perpetual' }],
          shortfall: { quantity: 3, enforcedAt: graceEnds.toISOString() },
        },
      ]);
      expect(during.validUntil).toBe(graceEnds.toISOString());
      expect(lastMoment.content.products[0]?.capacity).toBe(8);
      expect(enforced.content.products).toEqual([
        { product: 'ivr', capacity: 5, kind: 'perpetual', terms: [{ quantity: 5, kind: 'perpetual' }] },
      ]);
      expect(enforced.validUntil).toBeUndefined();
    });

    it('takes the shortfall from the newest installation first, and a grace period set otherwise', () => {
      const afterTheEnd = new Date(day(1));
      const newest = {
        installationId: 'inst_new',
        status: 'active' as const,
        allocation: { ivr: 3 },
        activatedAt: day(-1),
      };
      const forOldest = inputs({
        entitlements: mixed,
        installationId: older.installationId,
        allocation: older.allocation,
        activatedAt: older.activatedAt,
        installations: [newest],
        at: afterTheEnd,
        shortfallGraceDays: 7,
      });
      const forNewest = inputs({
        entitlements: mixed,
        installationId: newest.installationId,
        allocation: newest.allocation,
        activatedAt: newest.activatedAt,
        installations: [older],
        at: afterTheEnd,
        shortfallGraceDays: 7,
      });

      expect(buildLicenseContent(forOldest).products[0]).toEqual({
        product: 'ivr',
        capacity: 5,
        kind: 'perpetual',
        terms: [{ quantity: 5, kind: 'perpetual' }],
      });
      expect(buildLicenseContent(forNewest).products[0]).toMatchObject({
        capacity: 3,
        terms: [],
        shortfall: { quantity: 3, enforcedAt: day(8) },
      });
      expect(buildLicenseContent({ ...forNewest, at: new Date(day(8)) }).products).toEqual([]);
    });

    it('does not expire a capacity a renewal already deposited carries on', () => {
      const renewed = [
        ...mixed,
        {
          entitlementId: 'PO-4#01',
          product: 'ivr' as const,
          kind: 'subscription' as const,
          quantity: 3,
          startsAt: day(1),
          endsAt: day(366),
        },
      ];

      const built = buildLicenseContent(inputs({ entitlements: renewed, allocation: { ivr: 8 } }));

      expect(built.products[0]?.expiresAt).toBe(day(366));
      expect(licenceValidUntil(inputs({ entitlements: renewed, allocation: { ivr: 8 } }))).toBe(day(1));
    });
  });

  it('leaves Care out once it has lapsed', () => {
    const lapsed: Entitlement[] = [
      {
        entitlementId: 'PO-5#01',
        product: 'acd',
        kind: 'perpetual',
        quantity: 2,
        startsAt: day(-400),
        care: { level: 'gold', startsAt: day(-400), endsAt: day(-35) },
      },
    ];

    const built = buildLicenseContent(inputs({ entitlements: lapsed, allocation: { acd: 2 } }));

    expect(built.products).toEqual([
      { product: 'acd', capacity: 2, kind: 'perpetual', terms: [{ quantity: 2, kind: 'perpetual' }] },
    ]);
  });
});

describe('licenceValidUntil', () => {
  it('is the next change of the terms of the products the licence holds, Care included; none when nothing changes', () => {
    const at = new Date('2027-02-01T00:00:00.000Z');

    const withCare = licenceValidUntil(inputs({ allocation: { 'attendant-console': 1, ivr: 1 } }));
    const perpetualOnly = licenceValidUntil(inputs({ allocation: { acd: 1 } }));
    const afterEverything = licenceValidUntil(
      inputs({ allocation: { 'attendant-console': 1 }, at: new Date('2027-07-01T00:00:00.000Z') }),
    );

    expect(withCare).toBe('2027-01-31T00:00:00.000Z');
    expect(licenceValidUntil(inputs({ allocation: { 'attendant-console': 1 }, at }))).toBe('2027-06-30T00:00:00.000Z');
    expect(perpetualOnly).toBeUndefined();
    expect(afterEverything).toBeUndefined();
  });
});

describe('signIfChanged', () => {
  let signer: FakeSigner;

  beforeEach(async () => {
    signer = await FakeSigner.create();
  });

  it('signs a first licence as ver 1 that verifies against the signing key with every claim', async () => {
    const { license, signed } = await signIfChanged(content(), signer, { now: T0, ttlDays: TTL_DAYS, basedOnRev: 0 });

    expect(signed).toBe(true);
    const { header, claims } = await verifyLicense(license.jws, signer, T0);
    expect(header).toEqual({ alg: 'ES256', kid: await signer.keyId(), typ: LICENSE_TYPE });
    expect(claims).toEqual({
      iss: LICENSE_ISSUER,
      ...content(),
      iat: T0_SECONDS,
      exp: T0_SECONDS + TTL_DAYS * 86_400,
      ver: 1,
    });
    expect(license).toMatchObject({ ver: 1, exp: claims.exp, basedOnRev: 0, contentHash: contentHash(content()) });
    expect(license.etag).toMatch(/^"1-[A-Za-z0-9_-]{16}"$/);
  });

  it('returns the stored licence unsigned while its content is unchanged and it is young', async () => {
    const first = await signIfChanged(content(), signer, { now: T0, ttlDays: TTL_DAYS, basedOnRev: 0 });
    const later = new Date(T0.getTime() + 10 * 86_400_000);

    const again = await signIfChanged(content(), signer, {
      now: later,
      ttlDays: TTL_DAYS,
      basedOnRev: 3,
      previous: first.license,
    });

    expect(again.signed).toBe(false);
    expect(signer.signCalls).toBe(1);
    expect(again.license).toEqual({ ...first.license, basedOnRev: 3 });
  });

  it('re-signs changed content as the next ver with a new etag', async () => {
    const first = await signIfChanged(content(), signer, { now: T0, ttlDays: TTL_DAYS, basedOnRev: 0 });

    const changed = await signIfChanged(content({ telemetry: { enabled: false, intervalSeconds: 300 } }), signer, {
      now: T0,
      ttlDays: TTL_DAYS,
      basedOnRev: 1,
      previous: first.license,
    });

    expect(changed.signed).toBe(true);
    expect(changed.license.ver).toBe(2);
    expect(changed.license.etag).not.toBe(first.license.etag);
    expect((await verifyLicense(changed.license.jws, signer, T0)).claims).toMatchObject({
      ver: 2,
      telemetry: { enabled: false },
    });
  });

  it('re-signs unchanged content with the same ver once half its lifetime is gone', async () => {
    const first = await signIfChanged(content(), signer, { now: T0, ttlDays: TTL_DAYS, basedOnRev: 0 });
    const halfway = new Date(T0.getTime() + (TTL_DAYS / 2) * 86_400_000);

    const renewed = await signIfChanged(content(), signer, {
      now: halfway,
      ttlDays: TTL_DAYS,
      basedOnRev: 0,
      previous: first.license,
    });

    expect(renewed.signed).toBe(true);
    expect(renewed.license.ver).toBe(1);
    expect(renewed.license.exp).toBe(Math.floor(halfway.getTime() / 1000) + TTL_DAYS * 86_400);
    expect(renewed.license.jws).not.toBe(first.license.jws);
  });

  it('produces a licence that fails verification once tampered with or against another key', async () => {
    const { license } = await signIfChanged(content(), signer, { now: T0, ttlDays: TTL_DAYS, basedOnRev: 0 });
    const [header, , signature] = license.jws.split('.');
    const forged = Buffer.from(JSON.stringify({ ...content(), iss: LICENSE_ISSUER, ver: 1, exp: 4e9 })).toString(
      'base64url',
    );
    const otherKey = (await FakeSigner.create()).publicKey;

    await expect(compactVerify(`${header}.${forged}.${signature}`, signer.publicKey)).rejects.toThrow(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(compactVerify(license.jws, otherKey)).rejects.toThrow(errors.JWSSignatureVerificationFailed);
  });

  it('produces a licence an agent refuses once its exp has passed', async () => {
    const { license } = await signIfChanged(content(), signer, { now: T0, ttlDays: TTL_DAYS, basedOnRev: 0 });
    const afterExpiry = new Date((license.exp + 1) * 1000);

    const verification = verifyLicense(license.jws, signer, afterExpiry);

    await expect(verification).rejects.toThrow(errors.JWTExpired);
  });
});

describe('licence ver', () => {
  it('never repeats for different content built from different installation revs', async () => {
    const signer = await FakeSigner.create();
    const base = {
      installationId: 'inst_x',
      account: { accountId: 'acc_x', telemetryEnabled: true },
      nextPollSeconds: 900,
    };
    const read = {
      entitlements: [{ entitlementId: 'PO-1#01', product: 'ivr' as const, kind: 'perpetual' as const, quantity: 5 }],
      installations: [],
      activatedAt: T0.toISOString(),
      at: T0,
    };
    const stored = await signIfChanged(buildLicenseContent({ ...base, allocation: { ivr: 1 }, ...read }), signer, {
      now: T0,
      ttlDays: 30,
      basedOnRev: 0,
    });

    // served but never stored (the installation changed meanwhile), then rebuilt from the newer rev
    const served = await signIfChanged(buildLicenseContent({ ...base, allocation: { ivr: 2 }, ...read }), signer, {
      now: T0,
      ttlDays: 30,
      basedOnRev: 1,
      previous: stored.license,
    });
    const rebuilt = await signIfChanged(buildLicenseContent({ ...base, allocation: { ivr: 3 }, ...read }), signer, {
      now: T0,
      ttlDays: 30,
      basedOnRev: 2,
      previous: stored.license,
    });

    expect(stored.license.ver).toBe(1);
    expect(served.license.ver).toBe(2);
    expect(rebuilt.license.ver).toBe(3);
  });
});
