/**
 * What an account will hold once an order is deposited, computed exactly as the deposit computes it
 * (planDeposit) and read through the same entitlement arithmetic as the account page (standingsAt),
 * without writing anything.
 */
import { canonicalJson, sha256 } from '../canonical-json';
import { ConflictError, NotFoundError } from '../errors';
import type { Principal } from './access';
import { assertRole } from './access';
import type { Allocation, Product } from './catalogue';
import type { LicensingDeps } from './deps';
import { type OrderBody, type OrderChecks, planDeposit, assertOrderReferences } from './deposit-order';
import {
  capacityAt,
  careAt,
  entitlementStatusAt,
  standingsAt,
  termBoundaries,
  type CareCover,
  type EntitlementStatus,
  type ProductStanding,
} from './entitlements';
import { assertHomeRegion } from './home-region';
import type { AccountState, Entitlement, ProductPool } from './model';

/** One instant at which what a product grants changes, and what it grants from then on. */
export interface ProductChange {
  readonly at: string;
  readonly capacity: number;
  readonly care?: CareCover;
}

export type PreviewProduct = ProductStanding & {
  /** the latest end of the product's subscriptions (absent: none) */
  readonly subscriptionEndsAt?: string;
  /** every later change, ascending, until nothing changes any more */
  readonly changes: ProductChange[];
};

export interface OrderPreview {
  readonly orderId: string;
  /** absent when the order creates the account */
  readonly accountId?: string;
  readonly accountCreated: boolean;
  /** true when this order id was already deposited with this body: the account holds it already */
  readonly alreadyDeposited: boolean;
  /** the instant the preview was computed for */
  readonly at: string;
  /** the account's products after the deposit, as the account page would show them then */
  readonly products: PreviewProduct[];
  /** the order's lines as the entitlements they become */
  readonly entitlements: (Entitlement & { status: EntitlementStatus })[];
  /** what the account's follower installation would be granted now */
  readonly followerGrant?: { readonly installationId: string; readonly add: Allocation };
}

/** The account state with the plan applied, as the commit would leave it. */
function applied(
  state: AccountState | null,
  plan: ReturnType<typeof planDeposit>,
): Pick<AccountState, 'pools' | 'entitlements'> {
  const pools = new Map<Product, ProductPool>((state?.pools ?? []).map((pool) => [pool.product, pool]));
  for (const deposit of plan.pools) {
    const pool = pools.get(deposit.product);
    pools.set(deposit.product, {
      product: deposit.product,
      allocated: (pool?.allocated ?? 0) + deposit.addAllocated,
      entitlementsRev: (pool?.entitlementsRev ?? 0) + 1,
    });
  }
  return { pools: [...pools.values()], entitlements: [...(state?.entitlements ?? []), ...plan.entitlements] };
}

function withTimeline(standing: ProductStanding, entitlements: readonly Entitlement[], t: number): PreviewProduct {
  const own = entitlements.filter((e) => e.product === standing.product);
  const subscriptionEnds = own.flatMap((e) => (e.kind === 'subscription' && e.endsAt ? [Date.parse(e.endsAt)] : []));
  return {
    ...standing,
    ...(subscriptionEnds.length > 0
      ? { subscriptionEndsAt: new Date(Math.max(...subscriptionEnds)).toISOString() }
      : {}),
    changes: termBoundaries(own)
      .filter((b) => b > t)
      .map((b) => {
        const care = careAt(own, standing.product, b);
        return {
          at: new Date(b).toISOString(),
          capacity: capacityAt(own, standing.product, b),
          ...(care ? { care } : {}),
        };
      }),
  };
}

export async function previewOrder(
  deps: LicensingDeps,
  principal: Principal,
  orderId: string,
  body: OrderBody,
  checks: OrderChecks = {},
  options: { readonly shortfallGraceDays?: number } = {},
): Promise<OrderPreview> {
  assertRole(principal, 'backoffice');
  if ('create' in body.account) assertHomeRegion(body.account.create.region, deps.here);
  const earlier = await deps.repo.getOrder(orderId);
  if (earlier && earlier.bodyHash !== sha256(canonicalJson(body)))
    throw new ConflictError(`Order ${orderId} was already deposited with different content.`);
  await assertOrderReferences(body, checks);

  const accountId = 'id' in body.account ? body.account.id : earlier?.accountId;
  const state = accountId ? await deps.repo.getAccountState(accountId) : null;
  if ('id' in body.account && !state) throw new NotFoundError(`Account ${body.account.id} does not exist.`);
  if (state) assertHomeRegion(state.account.region, deps.here);

  const now = deps.clock.now();
  const t = now.getTime();
  // A deposited order is already in the state: previewing it again shows the account as it is.
  const plan = earlier ? { entitlements: [], pools: [] } : planDeposit(orderId, body, state, now.toISOString());
  const after = applied(state, plan);
  return {
    orderId,
    ...(accountId ? { accountId } : {}),
    accountCreated: 'create' in body.account,
    alreadyDeposited: earlier !== null,
    at: now.toISOString(),
    products: standingsAt(after, t, options.shortfallGraceDays).map((standing) =>
      withTimeline(standing, after.entitlements, t),
    ),
    entitlements: plan.entitlements.map((e) => ({ ...e, status: entitlementStatusAt(e, t) })),
    ...(plan.followerGrant ? { followerGrant: plan.followerGrant } : {}),
  };
}
