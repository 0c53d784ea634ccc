/** A reseller's customers: the Smart Accounts it acts for (the reseller itself and back office). */
import * as z from 'zod';
import { ForbiddenError } from '../errors';
import type { Principal } from './access';
import type { Region } from './catalogue';
import { resellerIdSchema } from './ids';

export const resellerParamsSchema = z.object({ resellerId: resellerIdSchema });

export interface ResellerAccountView {
  accountId: string;
  name: string;
  region: Region;
}

/** The port: the `RES#<reseller>/ACC#<account>` items written when an order creates the account. */
export interface ResellerAccountsReader {
  accountsOfReseller(resellerId: string): Promise<ResellerAccountView[]>;
}

export async function listResellerAccounts(
  reader: ResellerAccountsReader,
  principal: Principal,
  resellerId: string,
): Promise<{ resellerId: string; accounts: ResellerAccountView[] }> {
  const own = principal.role === 'reseller' && principal.resellerId === resellerId;
  if (!own && principal.role !== 'backoffice')
    throw new ForbiddenError('This token does not grant access to that reseller.');
  const accounts = await reader.accountsOfReseller(resellerId);
  return {
    resellerId,
    accounts: [...accounts].sort((a, b) => a.name.localeCompare(b.name) || (a.accountId < b.accountId ? -1 : 1)),
  };
}
