/**
 * Editing an active installation's allocation: the body is its new full allocation. Lowering gives
 * capacity back to the pool; raising takes it only if free now, under the same conditional write as
 * an activation (allocated + take ≤ the capacity now, the entitlements unchanged since read), so
 * concurrent raises never allocate more than the entitlements active now give.
 * The installation's rev and the account's termsRev are bumped in the same transaction: its next
 * poll gets the new licence, and so do the others' (their allocations are backed in order after it).
 */
import * as z from 'zod/mini';
import { ConflictError, ServiceUnavailableError, ValidationError, type FieldError } from '../errors';
import type { Principal } from './access';
import { loadManagedInstallation } from './account-installation';
import { productSchema, type Allocation, type Product } from './catalogue';
import { retryStale, type LicensingDeps } from './deps';
import { assertHomeRegion } from './home-region';
import { capacityChecks, standingsAt } from './entitlements';
import type { AccountState, Installation } from './model';
import { CommitRejected, type PoolTake } from './repository';

const quantitySchema = z
  .number({ error: 'enter a number' })
  .check(z.int('enter a whole number'), z.gte(0, 'enter 0 or more'), z.lte(1_000_000, 'enter at most 1000000'));

export const allocationChangeBodySchema = z.strictObject({
  /** the new full allocation: a product left out goes to 0 */
  allocation: z.partialRecord(productSchema, quantitySchema).check(
    z.refine((allocation) => Object.keys(allocation).length > 0, {
      message: 'name at least one product (0 gives a product back)',
      when: (payload) => payload.issues.length === 0,
    }),
  ),
});
export type AllocationChangeBody = z.infer<typeof allocationChangeBodySchema>;

export interface AllocationChangeResult {
  installationId: string;
  /** the installation's allocation now (products at 0 left out) */
  allocation: Allocation;
}

const withoutZeros = (allocation: Allocation): Allocation =>
  Object.fromEntries(Object.entries(allocation).filter(([, quantity]) => (quantity ?? 0) > 0));

type ProductTake = Pick<PoolTake, 'product' | 'take'>;

/** What each product's pool gives or takes to go from `from` to `to`. */
export function poolTakes(from: Allocation, to: Allocation): ProductTake[] {
  const products = new Set([...Object.keys(from), ...Object.keys(to)] as Product[]);
  return [...products]
    .map((product) => ({ product, take: (to[product] ?? 0) - (from[product] ?? 0) }))
    .filter(({ take }) => take !== 0)
    .sort((a, b) => a.product.localeCompare(b.product));
}

/** `allocation.<product>`: how much is free at `t`, in words the portal shows beside the field. */
function capacityErrors(
  takes: readonly ProductTake[],
  current: Allocation,
  state: Pick<AccountState, 'pools' | 'entitlements'>,
  t: number,
): FieldError[] {
  const free = new Map(standingsAt(state, t).map((standing) => [standing.product, standing.free]));
  return takes.flatMap(({ product, take }) => {
    const available = free.get(product) ?? 0;
    if (take <= available) return [];
    const most = (current[product] ?? 0) + available;
    return [
      {
        path: `allocation.${product}`,
        message: `only ${available} more ${available === 1 ? 'is' : 'are'} free: at most ${most} for this installation`,
      },
    ];
  });
}

const capacityConflict = (errors: FieldError[]) =>
  new ConflictError(`Not enough free capacity: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`, errors);

export async function changeAllocation(
  deps: LicensingDeps,
  principal: Principal,
  accountId: string,
  installationId: string,
  body: AllocationChangeBody,
): Promise<AllocationChangeResult> {
  let lastRead: Installation | undefined;
  try {
    return await retryStale(
      async () => {
        const { state, installation } = await loadManagedInstallation(deps, principal, accountId, installationId);
        assertHomeRegion(state.account.region, deps.here);
        lastRead = installation;
        const held = new Set(state.pools.map((pool) => pool.product));
        const notHeld = (Object.keys(body.allocation) as Product[]).filter((product) => !held.has(product));
        if (notHeld.length > 0) {
          throw new ValidationError(
            notHeld.map((product) => ({
              path: `allocation.${product}`,
              message: `the account holds no ${product} licences`,
            })),
          );
        }
        if (installation.status !== 'active') {
          throw new ConflictError(`Installation ${installationId} is deactivated: its allocation cannot change.`);
        }

        const allocation = withoutZeros(body.allocation);
        const takes = poolTakes(installation.allocation, allocation);
        if (takes.length === 0) return { installationId, allocation: installation.allocation };
        // What was read says no: answer without a commit bound to fail. What was read says yes:
        // the commit's own condition decides, against the pool as it is then.
        const at = deps.clock.now();
        const short = capacityErrors(takes, installation.allocation, state, at.getTime());
        if (short.length > 0) throw capacityConflict(short);

        const now = at.toISOString();
        const checks = capacityChecks(
          state,
          takes.map((t) => t.product),
          at.getTime(),
        );
        await deps.repo.commitAllocationChange({
          installation,
          allocation,
          pools: takes.map((take, n) => ({ ...checks[n]!, take: take.take })),
          audit: {
            accountId,
            at: now,
            eventId: deps.ids.id('evt_'),
            actor: { kind: principal.role, id: principal.sub },
            action: 'installation.allocation-changed',
            details: { installationId, from: installation.allocation, to: allocation },
          },
        });
        return { installationId, allocation };
      },
      (e) => e instanceof CommitRejected && e.reason === 'stale',
    );
  } catch (error) {
    if (!(error instanceof CommitRejected)) throw error;
    if (error.reason !== 'capacity' || !lastRead) {
      throw new ServiceUnavailableError('The account is changing right now; retry.', 1);
    }
    // A concurrent raise took the capacity between the read and the commit: say how much is left now.
    const state = await deps.repo.getAccountState(accountId);
    const takes = poolTakes(lastRead.allocation, withoutZeros(body.allocation));
    const errors = capacityErrors(
      takes,
      lastRead.allocation,
      state ?? { pools: [], entitlements: [] },
      deps.clock.now().getTime(),
    );
    // (freed again since: name the refused product all the same; a retry may go through)
    const refused = takes
      .filter(({ product, take }) => take > 0 && (error.subject === undefined || product === error.subject))
      .map(({ product }) => ({
        path: `allocation.${product}`,
        message: 'not enough free capacity at that moment; try again',
      }));
    throw capacityConflict(errors.length > 0 ? errors : refused);
  }
}
