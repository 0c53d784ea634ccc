/** The JWKS's detached signature (RFC 7515 Appendix F): over the exact body, by the key asked for. */
import { flattenedVerify, importJWK } from 'jose';
import { NotFoundError } from '#lambdas/core/errors';
import {
  JWKS_CONTENT_TYPE,
  jwksSignerFor,
  serializeJwks,
  signedJwksQuerySchema,
  signJwksDetached,
} from '#lambdas/core/licensing/signed-jwks';
import { FakeSigner } from '#test/support/licensing-fixtures';

const now = new Date('2026-03-01T12:00:00Z');

async function verifyDetached(detached: string, body: string, signer: FakeSigner) {
  const [protectedHeader, payload, signature] = detached.split('.');
  expect(payload).toBe('');
  return flattenedVerify(
    { protected: protectedHeader!, payload: Buffer.from(body).toString('base64url'), signature: signature! },
    await importJWK(signer.publicJwk, 'ES256'),
  );
}

describe('signJwksDetached', () => {
  it('signs the exact bytes served, naming the key, the content type and when it signed', async () => {
    // Arrange
    const current = await FakeSigner.create();
    const body = serializeJwks([{ ...current.publicJwk, kid: await current.keyId(), alg: 'ES256', use: 'sig' }]);

    // Act
    const detached = await signJwksDetached(body, current, now);

    // Assert
    const verified = await verifyDetached(detached, body, current);
    expect(verified.protectedHeader).toEqual({
      alg: 'ES256',
      kid: await current.keyId(),
      cty: JWKS_CONTENT_TYPE,
      iat: now.getTime() / 1000,
    });
  });

  it('does not verify over a body with one more key', async () => {
    // Arrange
    const current = await FakeSigner.create();
    const attacker = await FakeSigner.create();
    const served = serializeJwks([{ ...current.publicJwk, kid: await current.keyId() }]);
    const rewritten = serializeJwks([
      { ...current.publicJwk, kid: await current.keyId() },
      { ...attacker.publicJwk, kid: await attacker.keyId() },
    ]);

    // Act
    const detached = await signJwksDetached(served, current, now);

    // Assert
    await expect(verifyDetached(detached, rewritten, current)).rejects.toThrow('signature verification failed');
  });
});

describe('jwksSignerFor', () => {
  it('signs with the current key by default and with a retiring key when asked, never with an unknown one', async () => {
    // Arrange
    const current = await FakeSigner.create();
    const retiring = await FakeSigner.create();
    const signers = [current, retiring];

    // Act, Assert
    await expect(jwksSignerFor(signers, undefined)).resolves.toBe(current);
    await expect(jwksSignerFor(signers, await retiring.keyId())).resolves.toBe(retiring);
    await expect(jwksSignerFor(signers, 'A'.repeat(43))).rejects.toThrow(NotFoundError);
  });

  it('takes only a thumbprint as ?kid=', () => {
    expect(signedJwksQuerySchema.safeParse({ kid: '../etc' }).success).toBe(false);
    expect(signedJwksQuerySchema.safeParse({ kid: 'A'.repeat(43) }).success).toBe(true);
    expect(signedJwksQuerySchema.safeParse({}).success).toBe(true);
  });
});
