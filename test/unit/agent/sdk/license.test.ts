import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { graceLeftSeconds, verifyLicense } from '#agent/sdk/license';
import { LicenseRejectedError } from '#agent/sdk/errors';
import type { Jwks } from '#agent/sdk/types';

const NOW = new Date('2026-03-02T09:00:00Z');
const iat = Math.floor(NOW.getTime() / 1000);

async function signer(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

const claims = {
  sub: 'inst_abcdefgh12345678',
  acc: 'acc_00000001',
  ver: 3,
  products: [
    { product: 'ivr', capacity: 4, kind: 'perpetual', care: { level: 'gold', expiresAt: '2027-03-01T00:00:00Z' } },
  ],
  telemetry: { enabled: true },
  nextPollSeconds: 900,
};

const sign = (key: CryptoKey, kid: string, exp = iat + 30 * 86_400) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'ucx-license+jwt' })
    .setIssuer('ucx-cloud')
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);

let pinned: Jwks;
let eu: Awaited<ReturnType<typeof signer>>;

beforeAll(async () => {
  eu = await signer('eu-key');
  pinned = { keys: [eu.jwk, (await signer('us-key')).jwk] };
});

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LicenseRejectedError);
  return error as LicenseRejectedError;
};

describe('verifyLicense', () => {
  it('accepts a licence of a pinned key and reads its claims', async () => {
    const jws = await sign(eu.privateKey, 'eu-key');

    const verified = await verifyLicense(jws, pinned, { installationId: claims.sub, now: NOW });

    expect(verified).toMatchObject({ sub: claims.sub, ver: 3, products: claims.products });
    expect(graceLeftSeconds(verified, NOW)).toBe(30 * 86_400);
  });

  it('keeps working offline inside the grace period, a minute before exp', async () => {
    const jws = await sign(eu.privateKey, 'eu-key', iat + 3600);

    const verified = await verifyLicense(jws, pinned, { now: new Date(NOW.getTime() + 3540_000) });

    expect(graceLeftSeconds(verified, new Date(NOW.getTime() + 3540_000))).toBe(60);
  });

  it('refuses a tampered licence file', async () => {
    const jws = await sign(eu.privateKey, 'eu-key');
    const [header, payload, signature] = jws.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        products: [{ product: 'ivr', capacity: 4000, kind: 'perpetual' }],
      }),
    ).toString('base64url');

    const error = await refusal(verifyLicense(`${header}.${forged}.${signature}`, pinned, { now: NOW }));

    expect(error.reason).toBe('bad-signature');
    expect(error.message).toMatch(/altered/);
  });

  it('refuses a licence signed by a key that was not pinned, even one claiming a pinned kid', async () => {
    const rogue = await signer('rogue');
    const unknownKid = await sign(rogue.privateKey, 'rogue');
    const stolenKid = await sign(rogue.privateKey, 'eu-key');

    const unknown = await refusal(verifyLicense(unknownKid, pinned, { now: NOW }));
    const stolen = await refusal(verifyLicense(stolenKid, pinned, { now: NOW }));

    expect(unknown.reason).toBe('unknown-key');
    expect(unknown.message).toMatch(/not one of the 2 key\(s\) pinned at activation/);
    expect(stolen.reason).toBe('bad-signature');
  });

  it('refuses a licence past its grace period with the date it ended', async () => {
    const jws = await sign(eu.privateKey, 'eu-key', iat + 3600);

    const error = await refusal(verifyLicense(jws, pinned, { now: new Date(NOW.getTime() + 3601_000) }));

    expect(error.reason).toBe('expired');
    expect(error.message).toMatch(/expired on 2026-03-02T10:00:00.000Z: the offline grace period is over/);
  });

  it('refuses a licence of another installation and a file that is no licence at all', async () => {
    const jws = await sign(eu.privateKey, 'eu-key');

    expect((await refusal(verifyLicense(jws, pinned, { installationId: 'inst_other', now: NOW }))).reason).toBe(
      'wrong-installation',
    );
    expect((await refusal(verifyLicense('not a licence', pinned, { now: NOW }))).reason).toBe('malformed');
  });
});

describe('verifyLicense and the additive licence fields', () => {
  const signClaims = (extra: Record<string, unknown>) =>
    new SignJWT({ ...claims, ...extra })
      .setProtectedHeader({ alg: 'ES256', kid: 'eu-key', typ: 'ucx-license+jwt' })
      .setIssuer('ucx-cloud')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 86_400)
      .sign(eu.privateKey);

  it('reads terms and shortfall when a product carries them, and drops claims it does not know', async () => {
    const terms = [
      { quantity: 3, kind: 'perpetual' },
      { quantity: 1, kind: 'subscription', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-12-31T00:00:00Z' },
    ];
    const jws = await signClaims({
      products: [{ ...claims.products[0], terms, shortfall: { quantity: 1, enforcedAt: '2026-04-01T00:00:00Z' } }],
      somethingLater: { a: 1 },
    });

    const verified = await verifyLicense(jws, pinned, { now: NOW });

    expect(verified.products[0]).toEqual({
      ...claims.products[0],
      terms,
      shortfall: { quantity: 1, enforcedAt: '2026-04-01T00:00:00Z' },
    });
    expect(verified).not.toHaveProperty('somethingLater');
  });

  it('keeps a licence whose terms have a shape it does not know, without them', async () => {
    const jws = await signClaims({
      products: [{ ...claims.products[0], terms: [{ quantity: 'three' }], shortfall: 2 }],
    });

    const verified = await verifyLicense(jws, pinned, { now: NOW });

    expect(verified.products[0]).toEqual(claims.products[0]);
  });

  it('refuses a licence without what v1 requires, e.g. a product without capacity', async () => {
    const jws = await signClaims({ products: [{ product: 'ivr', kind: 'perpetual' }] });

    const error = await refusal(verifyLicense(jws, pinned, { now: NOW }));

    expect(error.reason).toBe('malformed');
    expect(error.message).toMatch(/^The licence does not hold what a v1 licence must: products\.0\.capacity/);
  });
});
