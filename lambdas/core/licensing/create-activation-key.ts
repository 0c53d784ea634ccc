/** Issues a single-use, expiring activation key carrying an allocation of the account's free capacity. */
import * as z from 'zod/mini';
import { sha256 } from '../canonical-json';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import { assertAccountOpen } from './account-open';
import { allocationSchema, type Allocation, type Product } from './catalogue';
import type { LicensingDeps } from './deps';
import { standingsAt } from './entitlements';
import { assertHomeRegion } from './home-region';

export const activationKeyBodySchema = z.strictObject(
  z.object({
    allocation: z.optional(allocationSchema),
    expiresInDays: z._default(z.int().check(z.gte(1), z.lte(365)), 30),
  }).shape,
);
export type ActivationKeyBody = z.infer<typeof activationKeyBodySchema>;

export interface ActivationKeyResult {
  activationKey: string;
  /** the key's id in the account's key list (GET .../activation-keys) */
  keyId: string;
  expiresAt: string;
  allocation: Allocation;
}

export function hashActivationKey(key: string): string {
  return sha256(key.trim().toUpperCase());
}

export async function createActivationKey(
  deps: LicensingDeps,
  principal: Principal,
  accountId: string,
  body: ActivationKeyBody,
): Promise<ActivationKeyResult> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  assertHomeRegion(state.account.region, deps.here);
  assertAccountOpen(state.account);

  const now = deps.clock.now();
  // free now: what the entitlements active now give, less what is allocated
  const standings = standingsAt(state, now.getTime());
  const free = new Map(standings.map((p) => [p.product, p.free]));
  let allocation: Allocation;
  if (body.allocation) {
    const errors = Object.entries(body.allocation).flatMap(([product, quantity]) => {
      const available = free.get(product as Product);
      if (available === undefined)
        return [{ path: `allocation.${product}`, message: `the account holds no ${product} licences` }];
      if ((quantity ?? 0) > available)
        return [{ path: `allocation.${product}`, message: `only ${available} of ${product} are free` }];
      return [];
    });
    if (errors.some((e) => e.message.startsWith('the account holds no'))) throw new ValidationError(errors);
    if (errors.length > 0) throw new ConflictError(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    allocation = body.allocation;
  } else {
    allocation = Object.fromEntries(standings.filter((p) => p.free > 0).map((p) => [p.product, p.free]));
    if (Object.keys(allocation).length === 0) throw new ConflictError('The account has no free capacity to allocate.');
  }

  const activationKey = deps.ids.secret();
  const expiresAt = new Date(now.getTime() + body.expiresInDays * 86_400_000).toISOString();
  const keyId = deps.ids.id('akey_');
  const hint = activationKey.slice(-4);
  const actor = { kind: principal.role, id: principal.sub } as const;
  await deps.repo.putActivationKey(
    {
      keyHash: hashActivationKey(activationKey),
      accountId,
      allocation,
      followsPool: !body.allocation,
      expiresAt,
      createdAt: now.toISOString(),
      keyId,
      hint,
      createdBy: actor,
    },
    {
      accountId,
      at: now.toISOString(),
      eventId: deps.ids.id('evt_'),
      actor,
      action: 'activation-key.created',
      details: { keyId, hint, allocation, expiresAt, followsPool: !body.allocation },
    },
  );
  return { activationKey, keyId, expiresAt, allocation };
}
