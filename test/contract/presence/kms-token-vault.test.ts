import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SealedTokenError, tokenVaultFromRef } from '#lambdas/adapters/kms-token-vault';

// The KMS branch (KmsTokenVault) is covered by the typecheck only: there is no KMS emulator in the local cloud.

let dir: string;
let keyRef: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'presence-vault-'));
  writeFileSync(join(dir, 'key.json'), JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url') }));
  keyRef = `file:${join(dir, 'key.json')}`;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the token vault with a key file', () => {
  it('seals and opens a refresh token for its account, in the v1 format, never in clear', async () => {
    const vault = tokenVaultFromRef(keyRef);
    const refreshToken = '0.local.refresh-token-value';

    const sealed = await vault.seal(refreshToken, { accountId: 'account-1' });
    const again = await vault.seal(refreshToken, { accountId: 'account-1' });

    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain('refresh-token');
    expect(again).not.toBe(sealed);
    expect(await vault.open(sealed, { accountId: 'account-1' })).toBe(refreshToken);
  });

  it('refuses another account, a tampered token and another key', async () => {
    const vault = tokenVaultFromRef(keyRef);
    const sealed = await vault.seal('secret', { accountId: 'account-1' });
    const [version, iv, tag, ciphertext] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url') }));

    await expect(vault.open(sealed, { accountId: 'account-2' })).rejects.toThrow(SealedTokenError);
    await expect(
      vault.open([version, iv, tag, flipped.toString('base64url')].join('.'), { accountId: 'account-1' }),
    ).rejects.toThrow(SealedTokenError);
    await expect(vault.open('v2.a.b.c', { accountId: 'account-1' })).rejects.toThrow(SealedTokenError);
    await expect(
      tokenVaultFromRef(`file:${join(dir, 'other.json')}`).open(sealed, { accountId: 'account-1' }),
    ).rejects.toThrow(SealedTokenError);
  });

  it('refuses a key file that is not a 32-byte oct JWK', () => {
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ kty: 'oct', k: randomBytes(16).toString('base64url') }));

    expect(() => tokenVaultFromRef(`file:${join(dir, 'short.json')}`)).toThrow('32 bytes');
  });
});
