/**
 * One function for an account's export and closure (lib/routes.ts `accountClosure`): each route's
 * own handler module answers it, chosen by API Gateway's `routeKey`. One function instead of four
 * keeps the stateless stack under CloudFormation's 500 resources.
 */
import { handler as closeAccount } from './close-account';
import { handler as exportAccount } from './export-account';
import { handler as getAccountClosure } from './get-account-closure';
import { handler as reopenAccount } from './reopen-account';
import { dispatchByRouteKey, type RouteHandler } from '../shared/route-dispatch';

export const byRouteKey: Readonly<Record<string, RouteHandler>> = {
  'GET /v1/accounts/{accountId}/export': exportAccount as RouteHandler,
  'POST /v1/accounts/{accountId}/closure': closeAccount as RouteHandler,
  'GET /v1/accounts/{accountId}/closure': getAccountClosure as RouteHandler,
  'DELETE /v1/accounts/{accountId}/closure': reopenAccount as RouteHandler,
};

export const handler = dispatchByRouteKey('account-closure', byRouteKey);
