/**
 * What the account page says about each product's terms: its entitlements as rows, its Care, and a
 * shortfall in words, on the account and on each installation that loses licences to it. Pure, so
 * the words are tested without a browser.
 */
import { productNames } from './terms';

export type EntitlementStatus = 'scheduled' | 'active' | 'ended';

export interface EntitlementLine {
  entitlementId: string;
  product: string;
  kind: 'perpetual' | 'subscription' | 'care';
  quantity: number;
  startsAt?: string;
  endsAt?: string;
  care?: { level: string; startsAt?: string; endsAt: string };
  status: EntitlementStatus;
}

export interface ProductTerms {
  product: string;
  capacity: number;
  allocated: number;
  care?: { level: string; expiresAt: string };
  shortfall?: { quantity: number; enforcedAt: string };
  entitlements?: EntitlementLine[];
}

export interface InstallationLike {
  installationId: string;
  status: string;
  allocation: Record<string, number>;
  activatedAt: string;
}

const day = (iso: string | undefined) => (iso ? new Date(iso).toISOString().slice(0, 10) : '—');
const careLevel = (level: string) => level.charAt(0).toUpperCase() + level.slice(1);

/** The API's `scheduled` reads as `future` to a customer. */
export const entitlementStatusText: Record<EntitlementStatus, string> = {
  scheduled: 'future',
  active: 'active',
  ended: 'ended',
};

/** One row per entitlement: quantity, kind, starts, ends, Care, status (a care line by its Care period). */
export function entitlementRows(product: ProductTerms): string[][] {
  return (product.entitlements ?? []).map((e) => {
    const isCare = e.kind === 'care';
    return [
      isCare ? '—' : String(e.quantity),
      e.kind,
      isCare ? day(e.care?.startsAt) : e.startsAt ? day(e.startsAt) : 'from the start',
      isCare ? day(e.care?.endsAt) : e.endsAt ? day(e.endsAt) : 'never (perpetual)',
      e.care ? `${careLevel(e.care.level)} until ${day(e.care.endsAt)}` : '—',
      entitlementStatusText[e.status],
    ];
  });
}

/** The Care covering the product now, "Care lapsed" when every Care period it had is over. */
export function careText(product: ProductTerms): string {
  if (product.care) return `${careLevel(product.care.level)} until ${day(product.care.expiresAt)}`;
  return (product.entitlements ?? []).some((e) => e.care) ? 'Care lapsed' : 'No Care';
}

const longDay = (iso: string, now: Date) => {
  const at = new Date(iso);
  return at.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
    ...(at.getUTCFullYear() !== now.getUTCFullYear() ? { year: 'numeric' } : {}),
  });
};

const licences = (quantity: number, product: string) =>
  `${quantity} ${productNames[product] ?? product} licence${quantity === 1 ? '' : 's'}`;

/** The product's shortfall in words; undefined when it has none. */
export function shortfallText(product: ProductTerms, now: Date = new Date()): string | undefined {
  const shortfall = product.shortfall;
  if (!shortfall) return undefined;
  const { quantity, enforcedAt } = shortfall;
  const beyond = `${licences(quantity, product.product)} ${quantity === 1 ? 'is' : 'are'} allocated beyond what you hold`;
  return Date.parse(enforcedAt) > now.getTime()
    ? `${beyond}; from ${longDay(enforcedAt, now)} the newest installations lose ${quantity === 1 ? 'it' : 'them'}. Renew or order more to keep ${quantity === 1 ? 'it' : 'them'}.`
    : `${beyond}; since ${longDay(enforcedAt, now)} the newest installations no longer get ${quantity === 1 ? 'it' : 'them'}.`;
}

/**
 * How many licences of each product in shortfall each installation loses: the newest active
 * installations first (activation time, then id, as the cloud orders them), up to what they hold.
 */
export function shortfallByInstallation(
  products: readonly ProductTerms[],
  installations: readonly InstallationLike[],
): Map<string, { product: string; quantity: number; enforcedAt: string }[]> {
  const newestFirst = installations
    .filter((i) => i.status === 'active')
    .sort(
      (a, b) =>
        Date.parse(b.activatedAt) - Date.parse(a.activatedAt) ||
        (a.installationId < b.installationId ? 1 : a.installationId > b.installationId ? -1 : 0),
    );
  const losses = new Map<string, { product: string; quantity: number; enforcedAt: string }[]>();
  for (const { product, shortfall } of products) {
    if (!shortfall) continue;
    let left = shortfall.quantity;
    for (const i of newestFirst) {
      if (left <= 0) break;
      const quantity = Math.min(left, i.allocation[product] ?? 0);
      if (quantity === 0) continue;
      left -= quantity;
      losses.set(i.installationId, [
        ...(losses.get(i.installationId) ?? []),
        { product, quantity, enforcedAt: shortfall.enforcedAt },
      ]);
    }
  }
  return losses;
}

/** What an installation loses to a shortfall, in words; undefined when it loses nothing. */
export function installationShortfallText(
  losses: readonly { product: string; quantity: number; enforcedAt: string }[] | undefined,
  now: Date = new Date(),
): string | undefined {
  if (!losses || losses.length === 0) return undefined;
  return losses
    .map(({ product, quantity, enforcedAt }) =>
      Date.parse(enforcedAt) > now.getTime()
        ? `${licences(quantity, product)} beyond what the account holds: lost from ${longDay(enforcedAt, now)}.`
        : `${licences(quantity, product)} beyond what the account holds: no longer licensed since ${longDay(enforcedAt, now)}.`,
    )
    .join(' ');
}
