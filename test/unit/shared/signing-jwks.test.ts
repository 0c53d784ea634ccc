/**
 * The licence-signing JWKS, shared by the JWKS route and offline activation: the keys are read
 * once per container, and a failed read is not kept. The key source is replaced by one that
 * counts its reads and fails on demand.
 */
const mockReads: string[] = [];
let mockFailNextRead = false;

jest.mock('#lambdas/adapters/licence-signers', () => ({
  publicJwkFromRef: async (ref: string) => {
    mockReads.push(ref);
    if (mockFailNextRead) {
      mockFailNextRead = false;
      throw new Error('KMS throttled');
    }
    return { kty: 'EC', crv: 'P-256', kid: `kid-of-${ref}`, alg: 'ES256', use: 'sig' };
  },
}));

import { signingJwks } from '#lambdas/shared/signing-jwks';

beforeAll(() => {
  process.env.REGION_KEY = 'eu';
  process.env.REGION_ENDPOINTS = JSON.stringify({ eu: 'https://eu.example.test', us: 'https://us.example.test' });
  process.env.VERIFY_KEY_REFS = JSON.stringify(['file:eu.jwk', 'file:us.jwk']);
});

describe('signingJwks', () => {
  it('reads every region key after a failed read, then serves them without reading again', async () => {
    mockFailNextRead = true;

    await expect(signingJwks()).rejects.toThrow('KMS throttled');
    const keys = await signingJwks();
    const again = await signingJwks();

    expect(keys.map((k) => k.kid)).toEqual(['kid-of-file:eu.jwk', 'kid-of-file:us.jwk']);
    expect(again).toBe(keys);
    expect(mockReads).toEqual(['file:eu.jwk', 'file:us.jwk', 'file:eu.jwk', 'file:us.jwk']);
  });
});
