/**
 * What an account's entitlements grant at an instant: capacity, Care, and which entitlements back
 * each installation's allocation. Pure functions of the entitlements and the instant (epoch ms),
 * so capacity is evaluated when it is read and a subscription leaves it at its end, unscheduled.
 */
import { careRank, type CareLevel, type LicenseKind, type Product } from './catalogue';
import type { CarePeriod, Entitlement, ProductPool } from './model';

/** One entitlement's share of a capacity: what a licence's `terms` list. */
export interface TermSlice {
  readonly entitlementId: string;
  readonly quantity: number;
  readonly kind: LicenseKind;
  readonly startsAt?: string;
  readonly endsAt?: string;
}

export interface CareCover {
  readonly level: CareLevel;
  /** when Care at this level (or higher) stops covering, counting renewals already deposited */
  readonly expiresAt: string;
}

const DAY_MS = 86_400_000;
const after = (iso: string | undefined, t: number) => iso !== undefined && Date.parse(iso) > t;
const startedBy = (iso: string | undefined, t: number) => iso === undefined || Date.parse(iso) <= t;

/** True when the entitlement adds capacity at `t`: startsAt ≤ t < endsAt (perpetual: from startsAt on). */
export function isActiveAt(entitlement: Entitlement, t: number): boolean {
  if (entitlement.kind === 'care' || entitlement.quantity <= 0) return false;
  return startedBy(entitlement.startsAt, t) && (entitlement.endsAt === undefined || after(entitlement.endsAt, t));
}

/** The product's capacity at `t`: the quantities of its entitlements active then. */
export function capacityAt(entitlements: readonly Entitlement[], product: Product, t: number): number {
  return entitlements.filter((e) => e.product === product && isActiveAt(e, t)).reduce((sum, e) => sum + e.quantity, 0);
}

const covers = (care: CarePeriod, t: number) => startedBy(care.startsAt, t) && after(care.endsAt, t);

/**
 * The Care covering the product at `t`: the highest level among the Care periods active then,
 * until the first instant no period of that level or higher covers it (a renewal that starts
 * where the last one ends continues it). Undefined once Care has lapsed.
 */
export function careAt(entitlements: readonly Entitlement[], product: Product, t: number): CareCover | undefined {
  const periods = entitlements.flatMap((e) => (e.product === product && e.care ? [e.care] : []));
  const covering = periods.filter((care) => covers(care, t));
  if (covering.length === 0) return undefined;
  const level = covering.reduce<CareLevel>(
    (best, care) => (careRank[care.level] > careRank[best] ? care.level : best),
    covering[0]!.level,
  );
  const atLeast = periods.filter((care) => careRank[care.level] >= careRank[level]);
  let end = t;
  for (let extended = true; extended; ) {
    extended = false;
    for (const care of atLeast) {
      if (startedBy(care.startsAt, end) && Date.parse(care.endsAt) > end) {
        end = Date.parse(care.endsAt);
        extended = true;
      }
    }
  }
  return { level, expiresAt: new Date(end).toISOString() };
}

/**
 * The order allocations draw from a product's entitlements: perpetual first (oldest first), then
 * subscriptions by latest end, so the capacity that ends first backs the newest installations.
 * Ties go by entitlement id: the same entitlements always give the same order.
 */
export function allocationOrder(entitlements: readonly Entitlement[]): Entitlement[] {
  const key = (e: Entitlement) => (e.kind === 'perpetual' ? 0 : 1);
  const time = (iso: string | undefined, missing: number) => (iso === undefined ? missing : Date.parse(iso));
  return entitlements
    .filter((e) => e.kind !== 'care' && e.quantity > 0)
    .sort(
      (a, b) =>
        key(a) - key(b) ||
        (a.kind === 'subscription'
          ? time(b.endsAt, Infinity) - time(a.endsAt, Infinity)
          : time(a.startsAt, -Infinity) - time(b.startsAt, -Infinity)) ||
        (a.entitlementId < b.entitlementId ? -1 : a.entitlementId > b.entitlementId ? 1 : 0),
    );
}

/**
 * The entitlements backing the units [`offset`, `offset + quantity`) of the product's capacity at
 * `t`, in allocation order: an installation's share when the installations before it hold `offset`.
 */
export function backingAt(
  entitlements: readonly Entitlement[],
  product: Product,
  t: number,
  offset: number,
  quantity: number,
): TermSlice[] {
  const slices: TermSlice[] = [];
  let start = 0;
  for (const e of allocationOrder(entitlements.filter((x) => x.product === product && isActiveAt(x, t)))) {
    const from = Math.max(start, offset);
    const to = Math.min(start + e.quantity, offset + quantity);
    if (to > from) {
      slices.push({
        entitlementId: e.entitlementId,
        quantity: to - from,
        kind: e.kind === 'subscription' ? 'subscription' : 'perpetual',
        ...(e.startsAt !== undefined && e.kind === 'subscription' ? { startsAt: e.startsAt } : {}),
        ...(e.endsAt !== undefined ? { endsAt: e.endsAt } : {}),
      });
    }
    start += e.quantity;
  }
  return slices;
}

/** Every instant at which something the entitlements grant changes (starts, ends, Care periods), ascending. */
export function termBoundaries(entitlements: readonly Entitlement[]): number[] {
  const instants = new Set<number>();
  for (const e of entitlements) {
    for (const iso of [e.startsAt, e.endsAt, e.care?.startsAt, e.care?.endsAt]) {
      if (iso !== undefined) instants.add(Date.parse(iso));
    }
  }
  return [...instants].sort((a, b) => a - b);
}

/** The first instant after `t` at which what the entitlements grant changes; undefined: never. */
export function nextTermBoundary(entitlements: readonly Entitlement[], t: number): number | undefined {
  return termBoundaries(entitlements).find((b) => b > t);
}

/**
 * The first instant after `t` at which `units(instant)` falls below `units(t)`: when a capacity
 * would drop if nothing more were deposited. Undefined: it never drops.
 */
export function firstDropAfter(
  entitlements: readonly Entitlement[],
  t: number,
  units: (instant: number) => number,
): number | undefined {
  const now = units(t);
  return termBoundaries(entitlements).find((b) => b > t && units(b) < now);
}

/**
 * How long installations keep an allocation the capacity no longer covers (a subscription ended,
 * a credit) before their licences carry only what is covered; `cdk.json` may set another.
 */
export const DEFAULT_SHORTFALL_GRACE_DAYS = 30;

/**
 * The instant since which the product's capacity has stayed below `threshold` without a break, up
 * to `t` (not before `floor`); undefined when the capacity at `t` is not below it.
 */
export function belowSince(
  entitlements: readonly Entitlement[],
  product: Product,
  t: number,
  threshold: number,
  floor: number,
): number | undefined {
  const below = (instant: number) => capacityAt(entitlements, product, instant) < threshold;
  if (!below(t)) return undefined;
  // The capacity only changes at boundaries: walk back from `t`, boundary by boundary, while the
  // stretch before each is below as well. Below since always: since `floor`.
  const earlier = termBoundaries(entitlements)
    .filter((b) => b <= t)
    .reverse();
  for (const boundary of earlier) {
    if (!below(boundary - 1)) return Math.max(boundary, floor);
  }
  return floor;
}

/** A product as it stands at an instant: what the account page shows and activation keys draw on. */
export interface ProductStanding {
  readonly product: Product;
  readonly capacity: number;
  readonly allocated: number;
  /** capacity − allocated, never below 0 */
  readonly free: number;
  /** perpetual only when all of the capacity is */
  readonly kind: LicenseKind;
  /** the first instant the capacity would drop if nothing more were deposited */
  readonly expiresAt?: string;
  readonly care?: CareCover;
  /** more allocated than the capacity covers: kept until `enforcedAt`, then licences carry only what is covered */
  readonly shortfall?: Shortfall;
}

export interface Shortfall {
  readonly quantity: number;
  readonly enforcedAt: string;
}

export function standingAt(
  pool: ProductPool,
  entitlements: readonly Entitlement[],
  t: number,
  graceDays = DEFAULT_SHORTFALL_GRACE_DAYS,
): ProductStanding {
  const own = entitlements.filter((e) => e.product === pool.product);
  const capacity = capacityAt(own, pool.product, t);
  const subscribed = own.some((e) => e.kind === 'subscription' && (capacity === 0 || isActiveAt(e, t)));
  const drop = firstDropAfter(own, t, (instant) => capacityAt(own, pool.product, instant));
  const care = careAt(own, pool.product, t);
  const since = belowSince(own, pool.product, t, pool.allocated, Number.NEGATIVE_INFINITY);
  const shortfall =
    since === undefined
      ? undefined
      : {
          quantity: pool.allocated - capacity,
          enforcedAt: new Date((Number.isFinite(since) ? since : t) + graceDays * DAY_MS).toISOString(),
        };
  return {
    product: pool.product,
    capacity,
    allocated: pool.allocated,
    free: Math.max(0, capacity - pool.allocated),
    kind: subscribed ? 'subscription' : 'perpetual',
    ...(drop !== undefined ? { expiresAt: new Date(drop).toISOString() } : {}),
    ...(care ? { care } : {}),
    ...(shortfall ? { shortfall } : {}),
  };
}

/** Each pool's standing at `t`, by product. */
export function standingsAt(
  state: { readonly pools: readonly ProductPool[]; readonly entitlements: readonly Entitlement[] },
  t: number,
  graceDays = DEFAULT_SHORTFALL_GRACE_DAYS,
): ProductStanding[] {
  return [...state.pools]
    .sort((a, b) => (a.product < b.product ? -1 : a.product > b.product ? 1 : 0))
    .map((pool) => standingAt(pool, state.entitlements, t, graceDays));
}

/** What an allocating commit checks for each product: the capacity at `t` and the pool's rev, as read. */
export function capacityChecks(
  state: { readonly pools: readonly ProductPool[]; readonly entitlements: readonly Entitlement[] },
  products: readonly Product[],
  t: number,
): { product: Product; capacity: number; entitlementsRev: number }[] {
  return products.map((product) => ({
    product,
    capacity: capacityAt(state.entitlements, product, t),
    entitlementsRev: state.pools.find((pool) => pool.product === product)?.entitlementsRev ?? 0,
  }));
}

/** Where an entitlement stands at `t` (a care line by its Care period): not yet started, active, or over. */
export type EntitlementStatus = 'scheduled' | 'active' | 'ended';

export function entitlementStatusAt(entitlement: Entitlement, t: number): EntitlementStatus {
  const startsAt = entitlement.kind === 'care' ? entitlement.care?.startsAt : entitlement.startsAt;
  const endsAt = entitlement.kind === 'care' ? entitlement.care?.endsAt : entitlement.endsAt;
  if (!startedBy(startsAt, t)) return 'scheduled';
  return endsAt === undefined || after(endsAt, t) ? 'active' : 'ended';
}
