/**
 * One function for the people of an account, sign-up and resellers (lib/routes.ts `accountPeople`):
 * and the vendor's machine clients: each route's own handler module answers it, chosen by API Gateway's `routeKey`. One function
 * instead of ten keeps the stateless stack under CloudFormation's 500 resources.
 */
import { handler as applyReseller } from './apply-reseller';
import { handler as approveReseller } from './approve-reseller';
import { handler as createAccount } from './create-account';
import { handler as createMachineClient } from './create-machine-client';
import { handler as getResellerApplication } from './get-reseller-application';
import { handler as inviteAccountUser } from './invite-account-user';
import { handler as listAccountUsers } from './list-account-users';
import { handler as listMachineClients } from './list-machine-clients';
import { handler as listResellerApplications } from './list-reseller-applications';
import { handler as removeAccountReseller } from './remove-account-reseller';
import { handler as removeAccountUser } from './remove-account-user';
import { handler as revokeMachineClient } from './revoke-machine-client';
import { handler as setAccountReseller } from './set-account-reseller';
import { dispatchByRouteKey, type RouteHandler } from '../shared/route-dispatch';

export const byRouteKey: Readonly<Record<string, RouteHandler>> = {
  'POST /v1/accounts/{accountId}/users': inviteAccountUser as RouteHandler,
  'GET /v1/accounts/{accountId}/users': listAccountUsers as RouteHandler,
  'DELETE /v1/accounts/{accountId}/users/{userId}': removeAccountUser as RouteHandler,
  'POST /v1/accounts': createAccount as RouteHandler,
  'POST /v1/resellers': applyReseller as RouteHandler,
  'GET /v1/resellers/application': getResellerApplication as RouteHandler,
  'GET /v1/ops/resellers': listResellerApplications as RouteHandler,
  'POST /v1/ops/resellers/{resellerId}/approval': approveReseller as RouteHandler,
  'PUT /v1/accounts/{accountId}/reseller': setAccountReseller as RouteHandler,
  'DELETE /v1/accounts/{accountId}/reseller': removeAccountReseller as RouteHandler,
  'POST /v1/ops/clients': createMachineClient as RouteHandler,
  'GET /v1/ops/clients': listMachineClients as RouteHandler,
  'DELETE /v1/ops/clients/{clientId}': revokeMachineClient as RouteHandler,
};

export const handler = dispatchByRouteKey('account-people', byRouteKey);
