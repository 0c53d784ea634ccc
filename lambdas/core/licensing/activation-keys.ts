/**
 * An account's activation keys as a list people can read (who created each, when it expires, what
 * it allocates, whether it was used or revoked) and the revocation of an open key. The key itself
 * is never stored: the list names a key by its id and its last four characters.
 */
import * as z from 'zod/mini';
import { ConflictError, NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import { assertAccountOpen } from './account-open';
import { accountIdSchema } from './ids';
import type { LicensingDeps } from './deps';
import { assertHomeRegion } from './home-region';
import { actorNamer, type AccountPeople } from './actor-names';
import type { Allocation } from './catalogue';
import type { Actor, AuditEvent } from './model';

export const activationKeyIdSchema = z.string().check(z.regex(/^akey_[a-z0-9]{1,40}$/, 'not an activation key id'));
export const activationKeyParamsSchema = z.object({ accountId: accountIdSchema, keyId: activationKeyIdSchema });

/** One key of the list, as stored beside its hash (ACC#<account> / AKEY#<keyId>). */
export interface ActivationKeyListing {
  readonly keyId: string;
  readonly keyHash: string;
  /** the key's last four characters */
  readonly hint: string;
  readonly createdAt: string;
  readonly createdBy: Actor;
  readonly expiresAt: string;
  readonly allocation: Allocation;
  readonly followsPool: boolean;
  readonly usedBy?: string;
  readonly usedAt?: string;
  readonly revokedAt?: string;
  readonly revokedBy?: Actor;
}

export type ActivationKeyState = 'open' | 'used' | 'revoked' | 'expired';

export interface ActivationKeyView extends Omit<ActivationKeyListing, 'keyHash'> {
  readonly state: ActivationKeyState;
  /** `createdBy` in words: the person's e-mail, "back office", … (actor-names.ts) */
  readonly createdByName: string;
}

export interface KeyRevocationCommit {
  readonly accountId: string;
  readonly keyId: string;
  readonly keyHash: string;
  readonly at: string;
  readonly by: Actor;
  readonly audit: AuditEvent;
}

/** The port: the account's key list and the revocation, one transaction with its audit event. */
export interface ActivationKeyStore {
  /** every listed key of the account (used, revoked and expired ones too, until their records expire) */
  list(accountId: string): Promise<ActivationKeyListing[]>;
  get(accountId: string, keyId: string): Promise<ActivationKeyListing | null>;
  /** marks the key and its listing revoked; CommitRejected 'key-unavailable' when it was used meanwhile */
  commitRevocation(commit: KeyRevocationCommit): Promise<void>;
}

export interface ActivationKeyDeps extends Pick<LicensingDeps, 'repo' | 'clock' | 'ids' | 'here'> {
  readonly keys: ActivationKeyStore;
  /** names the people who created keys; without it they read as ids no person knows */
  readonly people?: AccountPeople;
}

export function keyState(key: ActivationKeyListing, now: Date): ActivationKeyState {
  if (key.usedBy) return 'used';
  if (key.revokedAt) return 'revoked';
  return Date.parse(key.expiresAt) <= now.getTime() ? 'expired' : 'open';
}

/** The account's keys, newest first (customer, its reseller, back office: whoever may create them; support reads). */
export async function listActivationKeys(
  deps: ActivationKeyDeps,
  principal: Principal,
  accountId: string,
): Promise<{ keys: ActivationKeyView[] }> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  const now = deps.clock.now();
  const [keys, nameOf] = await Promise.all([deps.keys.list(accountId), actorNamer(deps.people, accountId)]);
  return {
    keys: keys
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .map(({ keyHash, ...key }) => ({
        ...key,
        state: keyState({ keyHash, ...key }, now),
        createdByName: nameOf(key.createdBy),
      })),
  };
}

/**
 * Revokes an open key: activation with it is refused from now on. Idempotent: a revoked key, or
 * one this account never listed, answers the same (nothing to do); a used key cannot be revoked
 * (its installation is deactivated instead).
 */
export async function revokeActivationKey(
  deps: ActivationKeyDeps,
  principal: Principal,
  accountId: string,
  keyId: string,
): Promise<void> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  assertHomeRegion(state.account.region, deps.here);
  assertAccountOpen(state.account);

  const key = await deps.keys.get(accountId, keyId);
  if (!key || key.revokedAt) return;
  const usedKey = () =>
    new ConflictError(
      `This key was used by installation ${key.usedBy ?? 'of this account'}; deactivate that installation to free its licences.`,
    );
  if (key.usedBy) throw usedKey();
  const at = deps.clock.now().toISOString();
  const by: Actor = { kind: principal.role, id: principal.sub };
  try {
    await deps.keys.commitRevocation({
      accountId,
      keyId,
      keyHash: key.keyHash,
      at,
      by,
      audit: {
        accountId,
        at,
        eventId: deps.ids.id('evt_'),
        actor: by,
        action: 'activation-key.revoked',
        details: { keyId, hint: key.hint, allocation: key.allocation, expiresAt: key.expiresAt },
      },
    });
  } catch (error) {
    // used between the read and the commit: say so, as for a key read used
    const now = await deps.keys.get(accountId, keyId);
    if (now?.revokedAt) return;
    if (now?.usedBy) throw new ConflictError(`This key was used by installation ${now.usedBy} meanwhile.`);
    throw error;
  }
}
