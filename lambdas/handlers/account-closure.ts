/**
 * One function for an account's export and closure (lib/routes.ts `accountClosure`): each route's
 * own handler module answers it, chosen by API Gateway's `routeKey`. One function instead of four
 * keeps the stateless stack under CloudFormation's 500 resources.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handler as closeAccount } from './close-account';
import { handler as exportAccount } from './export-account';
import { handler as getAccountClosure } from './get-account-closure';
import { handler as reopenAccount } from './reopen-account';

type Route = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export const byRouteKey: Readonly<Record<string, Route>> = {
  'GET /v1/accounts/{accountId}/export': exportAccount as Route,
  'POST /v1/accounts/{accountId}/closure': closeAccount as Route,
  'GET /v1/accounts/{accountId}/closure': getAccountClosure as Route,
  'DELETE /v1/accounts/{accountId}/closure': reopenAccount as Route,
};

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  const route = byRouteKey[event.routeKey];
  if (!route) throw new Error(`account-closure: no route ${event.routeKey}`);
  return route(event, context);
};
