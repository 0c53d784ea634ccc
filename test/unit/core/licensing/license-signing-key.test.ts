/** A stored licence is re-signed by the current key at its next rebuild once the key set rotated. */
import { signIfChanged, signingKeyOf, type LicenseContent } from '#lambdas/core/licensing/license';
import { FakeSigner } from '#test/support/licensing-fixtures';

const content: LicenseContent = {
  sub: 'inst_1',
  acc: 'acc_1',
  products: [],
  telemetry: { enabled: true, intervalSeconds: 900 },
  nextPollSeconds: 900,
};
const now = new Date('2026-03-01T12:00:00Z');
const options = { now, ttlDays: 30, basedOnRev: 1 };

describe('signIfChanged across a key rotation', () => {
  it('keeps an unchanged licence while its key is current, and re-signs it with the new current key', async () => {
    // Arrange
    const keyA = await FakeSigner.create();
    const keyB = await FakeSigner.create();
    const { license: signedByA } = await signIfChanged(content, keyA, options);

    // Act
    const sameKey = await signIfChanged(content, keyA, { ...options, basedOnRev: 2, previous: signedByA });
    const rotated = await signIfChanged(content, keyB, { ...options, basedOnRev: 2, previous: signedByA });

    // Assert
    expect(sameKey.signed).toBe(false);
    expect(rotated.signed).toBe(true);
    expect(signingKeyOf(rotated.license.jws)).toBe(await keyB.keyId());
    // The same content keeps its version; the new signature gets a new ETag, so agents fetch it.
    expect(rotated.license.ver).toBe(signedByA.ver);
    expect(rotated.license.etag).not.toBe(signedByA.etag);
  });

  it('reads no kid from what is not a JWS', () => {
    expect(signingKeyOf('not a jws')).toBeUndefined();
    expect(signingKeyOf(`${Buffer.from('{"alg":"ES256"}').toString('base64url')}..x`)).toBeUndefined();
  });
});
