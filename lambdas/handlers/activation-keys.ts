/**
 * One function for an account's activation keys (lib/routes.ts `createActivationKey`): create, list
 * and revoke, each route's own handler module chosen by API Gateway's `routeKey`, so the list and
 * the revocation cost the stateless stack no function of their own.
 */
import { handler as createActivationKey } from './create-activation-key';
import { handler as listActivationKeys } from './list-activation-keys';
import { handler as revokeActivationKey } from './revoke-activation-key';
import { dispatchByRouteKey, type RouteHandler } from '../shared/route-dispatch';

export const byRouteKey: Readonly<Record<string, RouteHandler>> = {
  'POST /v1/accounts/{accountId}/activation-keys': createActivationKey as RouteHandler,
  'GET /v1/accounts/{accountId}/activation-keys': listActivationKeys as RouteHandler,
  'DELETE /v1/accounts/{accountId}/activation-keys/{keyId}': revokeActivationKey as RouteHandler,
};

export const handler = dispatchByRouteKey('activation-keys', byRouteKey);
