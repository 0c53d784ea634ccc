/** The sizing guide's arithmetic, shared by memory-undersized and cores-undersized. */
import type { Product } from '../../licensing/catalogue';
import type { LicenceFacts } from '../rule';

/**
 * What the guide asks for at this load: the value of the highest tier the load reaches, plus the
 * extra of each product the licence enables (counted once however many lines it has).
 */
export function sizingRequirement<T extends { readonly fromLoad: number }>(
  tiers: readonly T[],
  valueOfTier: (tier: T) => number,
  perProduct: Partial<Record<Product, number>>,
  load: number,
  licensed: LicenceFacts['products'],
): number {
  let base = 0;
  let from = -Infinity;
  for (const tier of tiers)
    if (load >= tier.fromLoad && tier.fromLoad > from) {
      from = tier.fromLoad;
      base = valueOfTier(tier);
    }
  let extra = 0;
  for (let i = 0; i < licensed.length; i++) {
    const line = licensed[i]!;
    if (line.capacity <= 0) continue;
    let counted = false;
    for (let j = 0; j < i && !counted; j++)
      counted = licensed[j]!.product === line.product && licensed[j]!.capacity > 0;
    if (!counted) extra += perProduct[line.product] ?? 0;
  }
  return base + extra;
}
