/** A closed account accepts nothing new (docs/retention.md): no keys, orders, activations or switches. */
import { GoneError } from '../errors';
import type { SmartAccount } from './model';

/** 410 for a change asked of a closed account; the detail says when it closed and when its data goes. */
export function assertAccountOpen(account: Pick<SmartAccount, 'accountId' | 'closure'>): void {
  const { closure } = account;
  if (!closure) return;
  throw new GoneError(
    `Account ${account.accountId} was closed on ${closure.closedAt}; it accepts no new keys, orders or activations` +
      (closure.erasedAt ? '.' : ` (its data is erased after ${closure.eraseAfter}).`),
  );
}
