/** Pure rules about licence terms the account page highlights. */
export interface TermLike {
  readonly expiresAt?: string;
  readonly care?: { readonly level: string; readonly expiresAt: string };
}

/** 90 days: the renewal window resellers quote in; within it a term is flagged as expiring. */
export const expiringWithinDays = 90;

export type TermState = 'expired' | 'expiring' | 'ok' | 'none';

export function termState(iso: string | undefined, now: Date = new Date()): TermState {
  if (!iso) return 'none';
  const left = new Date(iso).getTime() - now.getTime();
  if (left <= 0) return 'expired';
  return left <= expiringWithinDays * 24 * 3600 * 1000 ? 'expiring' : 'ok';
}

/** The first term to end: the subscription's end or the Care contract's end. */
export function nearestEnd(pool: TermLike): string | undefined {
  const ends = [pool.expiresAt, pool.care?.expiresAt].filter((e): e is string => Boolean(e)).sort();
  return ends[0];
}

export const productNames: Record<string, string> = {
  'attendant-console': 'Attendant Console',
  'call-recording': 'Call Recording',
  ivr: 'IVR',
  acd: 'ACD queues',
  'digital-fax': 'Digital Fax',
  'phone-lock': 'Phone Lock',
  'contact-manager': 'Contact Manager',
};
export const products = Object.keys(productNames);
