/** Who may do what to which Smart Account: back office everything, a reseller its customers, a customer itself. */
import { ForbiddenError } from '../errors';
import type { SmartAccount } from './model';

export type Role = 'backoffice' | 'support' | 'reseller' | 'customer';

export interface Principal {
  readonly role: Role;
  /** opaque subject id from the token */
  readonly sub: string;
  readonly accountId?: string;
  readonly resellerId?: string;
}

export type AccountAccess = 'read' | 'manage';

/** Cheap check before any read: a customer naming another account is refused without a lookup. */
export function assertMayAddressAccount(principal: Principal, accountId: string): void {
  if (principal.role === 'customer' && principal.accountId !== accountId) {
    throw new ForbiddenError('This token does not grant access to that account.');
  }
}

export function assertAccountAccess(
  principal: Principal,
  account: SmartAccount | undefined,
  access: AccountAccess,
): void {
  const allowed = (() => {
    switch (principal.role) {
      case 'backoffice':
        return true;
      case 'support':
        return access === 'read';
      case 'reseller':
        return account !== undefined && account.resellerId !== undefined && account.resellerId === principal.resellerId;
      case 'customer':
        return account !== undefined && account.accountId === principal.accountId;
    }
  })();
  if (!allowed) throw new ForbiddenError('This token does not grant access to that account.');
}

export function assertRole(principal: Principal, ...roles: Role[]): void {
  if (!roles.includes(principal.role)) {
    throw new ForbiddenError(`This operation needs one of the roles: ${roles.join(', ')}.`);
  }
}
