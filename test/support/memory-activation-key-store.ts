/** The account's key list over the memory licensing repository: listings read from its stored keys. */
import type {
  ActivationKeyListing,
  ActivationKeyStore,
  KeyRevocationCommit,
} from '#lambdas/core/licensing/activation-keys';
import type { Actor } from '#lambdas/core/licensing/model';
import { CommitRejected } from '#lambdas/core/licensing/repository';
import type { MemoryLicensingRepository } from './memory-licensing-repository';

export class MemoryActivationKeyStore implements ActivationKeyStore {
  readonly revocations: KeyRevocationCommit[] = [];
  private readonly revokedBy = new Map<string, Actor>();

  constructor(private readonly repo: MemoryLicensingRepository) {}

  async list(accountId: string): Promise<ActivationKeyListing[]> {
    return this.repo
      .storedKeys()
      .filter((k) => k.accountId === accountId && k.keyId && k.hint && k.createdBy)
      .map((k) => ({
        keyId: k.keyId!,
        keyHash: k.keyHash,
        hint: k.hint!,
        createdAt: k.createdAt,
        createdBy: k.createdBy!,
        expiresAt: k.expiresAt,
        allocation: k.allocation,
        followsPool: k.followsPool,
        ...(k.usedBy && { usedBy: k.usedBy }),
        ...(k.usedAt && { usedAt: k.usedAt }),
        ...(k.revokedAt && { revokedAt: k.revokedAt, revokedBy: this.revokedBy.get(k.keyId!)! }),
      }));
  }

  async get(accountId: string, keyId: string): Promise<ActivationKeyListing | null> {
    return (await this.list(accountId)).find((k) => k.keyId === keyId) ?? null;
  }

  async commitRevocation(c: KeyRevocationCommit): Promise<void> {
    const key = await this.get(c.accountId, c.keyId);
    if (!key || key.usedBy) throw new CommitRejected('key-unavailable');
    this.revokedBy.set(c.keyId, c.by);
    this.repo.markKeyRevoked(c.keyHash, c.at);
    this.revocations.push(c);
  }
}
