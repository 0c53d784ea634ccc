/** The local signing-key set: one rotation step at a time, and the refs the functions get from it. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureSigningKeys,
  keyFile,
  readSigningKeySet,
  RotationError,
  rotateSigningKeys,
  signingKeyFile,
  signingKeyRefs,
  verifyKeyRefs,
} from '#local/keys';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ucx-keys-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const now = new Date('2026-03-01T12:00:00Z');

describe('the local signing-key set', () => {
  it('starts with the initial key in the files it always had', async () => {
    // Act
    await ensureSigningKeys(dataDir);

    // Assert
    expect(readSigningKeySet(dataDir)).toEqual({ current: 'initial', retiring: [] });
    expect(signingKeyRefs(dataDir, 'eu')).toEqual({ current: `file:${keyFile(dataDir, 'eu')}`, others: [] });
    expect(verifyKeyRefs(dataDir)).toEqual([`file:${keyFile(dataDir, 'eu')}`, `file:${keyFile(dataDir, 'us')}`]);
  });

  it('introduces next, promotes it (current retires), then drops the retiring key and its files', async () => {
    // Act
    const introduced = await rotateSigningKeys(dataDir, { now });
    const published = signingKeyRefs(dataDir, 'us');
    const promoted = await rotateSigningKeys(dataDir, { now });
    const promotedRefs = signingKeyRefs(dataDir, 'us');
    const dropped = await rotateSigningKeys(dataDir, { now });

    // Assert
    expect(introduced).toMatchObject({ step: 'introduce', keyIds: ['k20260301'] });
    expect(introduced.after.map((k) => [k.slot, k.id])).toEqual([
      ['current', 'initial'],
      ['next', 'k20260301'],
    ]);
    expect(published).toEqual({
      current: `file:${keyFile(dataDir, 'us')}`,
      others: [`file:${signingKeyFile(dataDir, 'us', 'k20260301')}`],
    });
    expect(promoted).toMatchObject({ step: 'promote', keyIds: ['k20260301'] });
    expect(promotedRefs.current).toBe(`file:${signingKeyFile(dataDir, 'us', 'k20260301')}`);
    expect(verifyKeyRefs(dataDir)).toHaveLength(2);
    expect(dropped).toMatchObject({ step: 'drop', keyIds: ['initial'] });
    expect(readSigningKeySet(dataDir)).toMatchObject({ current: 'k20260301', retiring: [] });
    expect(existsSync(keyFile(dataDir, 'eu'))).toBe(false);
    // The kids stay those of the same key files through the steps.
    expect(promoted.after[0]!.kids).toEqual(introduced.after[1]!.kids);
  });

  it('refuses a step that does not apply and names what to do', async () => {
    // Act, Assert
    await expect(rotateSigningKeys(dataDir, { step: 'promote' })).rejects.toThrow(
      new RotationError('there is no next key to promote: introduce one first'),
    );
    await rotateSigningKeys(dataDir, { now });
    await expect(rotateSigningKeys(dataDir, { step: 'introduce', now })).rejects.toThrow(/is already next/);
    await expect(rotateSigningKeys(dataDir, { step: 'drop' })).rejects.toThrow('there is no retiring key to drop');
  });
});
