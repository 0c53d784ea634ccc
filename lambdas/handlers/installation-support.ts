/**
 * One function for support's reads of one installation (lib/routes.ts `listInstallationFindings`):
 * its findings and its history, each answered by its own handler module, chosen by API Gateway's
 * `routeKey`, so the history costs the stateless stack no function of its own.
 */
import { handler as getInstallationHistory } from './get-installation-history';
import { handler as listInstallationFindings } from './list-installation-findings';
import { dispatchByRouteKey, type RouteHandler } from '../shared/route-dispatch';

export const byRouteKey: Readonly<Record<string, RouteHandler>> = {
  'GET /v1/installations/{id}/findings': listInstallationFindings as RouteHandler,
  'GET /v1/installations/{id}/history': getInstallationHistory as RouteHandler,
};

export const handler = dispatchByRouteKey('installation-support', byRouteKey);
