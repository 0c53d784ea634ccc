import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentStateError } from '#agent/sdk/errors';
import { loadIdentity, loadOrCreateIdentity } from '#agent/sdk/identity';

const posix = process.platform === 'win32' ? it.skip : it;

describe('the key file', () => {
  posix('is created once with mode 0600 and read back as the same identity', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ucx-id-')), 'identity.key');

    const created = await loadOrCreateIdentity(path);
    const again = await loadOrCreateIdentity(path);

    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(again.thumbprint).toBe(created.thumbprint);
    expect(created.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });

  posix.each([0o640, 0o604, 0o660, 0o666])('is refused with mode %o, naming the fix', async (mode) => {
    const path = join(mkdtempSync(join(tmpdir(), 'ucx-id-')), 'identity.key');
    await loadOrCreateIdentity(path);
    chmodSync(path, mode);

    const error = await loadIdentity(path).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AgentStateError);
    expect((error as Error).message).toMatch(/readable only by its owner. Run: chmod 600/);
  });

  it('is required before anything but activation', async () => {
    await expect(loadIdentity(join(tmpdir(), 'no-such-dir', 'identity.key'))).rejects.toThrow(/activate first/);
  });
});
