/**
 * One function for the people of an account, sign-up and resellers (lib/routes.ts `accountPeople`):
 * each route's own handler module answers it, chosen by API Gateway's `routeKey`. One function
 * instead of ten keeps the stateless stack under CloudFormation's 500 resources.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handler as applyReseller } from './apply-reseller';
import { handler as approveReseller } from './approve-reseller';
import { handler as createAccount } from './create-account';
import { handler as getResellerApplication } from './get-reseller-application';
import { handler as inviteAccountUser } from './invite-account-user';
import { handler as listAccountUsers } from './list-account-users';
import { handler as listResellerApplications } from './list-reseller-applications';
import { handler as removeAccountReseller } from './remove-account-reseller';
import { handler as removeAccountUser } from './remove-account-user';
import { handler as setAccountReseller } from './set-account-reseller';

type Route = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export const byRouteKey: Readonly<Record<string, Route>> = {
  'POST /v1/accounts/{accountId}/users': inviteAccountUser as Route,
  'GET /v1/accounts/{accountId}/users': listAccountUsers as Route,
  'DELETE /v1/accounts/{accountId}/users/{userId}': removeAccountUser as Route,
  'POST /v1/accounts': createAccount as Route,
  'POST /v1/resellers': applyReseller as Route,
  'GET /v1/resellers/application': getResellerApplication as Route,
  'GET /v1/ops/resellers': listResellerApplications as Route,
  'POST /v1/ops/resellers/{resellerId}/approval': approveReseller as Route,
  'PUT /v1/accounts/{accountId}/reseller': setAccountReseller as Route,
  'DELETE /v1/accounts/{accountId}/reseller': removeAccountReseller as Route,
};

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  const route = byRouteKey[event.routeKey];
  if (!route) throw new Error(`account-people: no route ${event.routeKey}`);
  return route(event, context);
};
