import {
  buildLicenseContent,
  contentHash,
  LICENSE_ISSUER,
  LICENSE_TYPE,
  signIfChanged,
  type LicenseContent,
} from '#lambdas/core/licensing/license';
import type { ProductPool } from '#lambdas/core/licensing/model';
import { compactVerify, errors } from 'jose';
import { FakeSigner, T0, verifyLicense } from '#test/support/licensing-fixtures';

const TTL_DAYS = 30;
const T0_SECONDS = Math.floor(T0.getTime() / 1000);

const pools: ProductPool[] = [
  {
    product: 'ivr',
    capacity: 10,
    allocated: 4,
    free: 6,
    kind: 'subscription',
    expiresAt: '2027-01-31T00:00:00.000Z',
    // terms of the other kind are never copied into the licence
    care: { level: 'gold', expiresAt: '2027-01-31T00:00:00.000Z' },
  },
  {
    product: 'attendant-console',
    capacity: 20,
    allocated: 5,
    free: 15,
    kind: 'perpetual',
    expiresAt: '2026-12-31T00:00:00.000Z',
    care: { level: 'platinum', expiresAt: '2027-06-30T00:00:00.000Z' },
  },
  { product: 'acd', capacity: 3, allocated: 0, free: 3, kind: 'perpetual' },
];

function content(overrides: Partial<LicenseContent> = {}): LicenseContent {
  return {
    ...buildLicenseContent({
      installationId: 'inst_00000007',
      account: { accountId: 'acc_00000001', telemetryEnabled: true },
      allocation: { ivr: 4, 'attendant-console': 5 },
      pools,
      nextPollSeconds: 3600,
    }),
    ...overrides,
  };
}

describe('buildLicenseContent', () => {
  it('lists the allocated products, sorted, with the terms of their kind only', () => {
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
        },
        { product: 'ivr', capacity: 4, kind: 'subscription', expiresAt: '2027-01-31T00:00:00.000Z' },
      ],
      telemetry: { enabled: true },
      nextPollSeconds: 3600,
    });
  });

  it('carries the account telemetry switch', () => {
    const built = buildLicenseContent({
      installationId: 'inst_00000007',
      account: { accountId: 'acc_00000001', telemetryEnabled: false },
      allocation: { acd: 1 },
      pools,
      nextPollSeconds: 60,
    });

    expect(built.telemetry).toEqual({ enabled: false });
    expect(built.products).toEqual([{ product: 'acd', capacity: 1, kind: 'perpetual' }]);
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

    const changed = await signIfChanged(content({ telemetry: { enabled: false } }), signer, {
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
    const pools = [{ product: 'ivr' as const, capacity: 5, allocated: 0, free: 5, kind: 'perpetual' as const }];
    const stored = await signIfChanged(buildLicenseContent({ ...base, allocation: { ivr: 1 }, pools }), signer, {
      now: T0,
      ttlDays: 30,
      basedOnRev: 0,
    });

    // served but never stored (the installation changed meanwhile), then rebuilt from the newer rev
    const served = await signIfChanged(buildLicenseContent({ ...base, allocation: { ivr: 2 }, pools }), signer, {
      now: T0,
      ttlDays: 30,
      basedOnRev: 1,
      previous: stored.license,
    });
    const rebuilt = await signIfChanged(buildLicenseContent({ ...base, allocation: { ivr: 3 }, pools }), signer, {
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
