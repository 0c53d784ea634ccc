/**
 * One function for support's telemetry cycle of an installation (lib/routes.ts `telemetryInterval`):
 * each route's own handler module answers it, chosen by API Gateway's `routeKey`, so the two routes
 * cost the stateless stack one function.
 */
import { handler as endTelemetryInterval } from './end-telemetry-interval';
import { handler as setTelemetryInterval } from './set-telemetry-interval';
import { dispatchByRouteKey, type RouteHandler } from '../shared/route-dispatch';

export const byRouteKey: Readonly<Record<string, RouteHandler>> = {
  'PUT /v1/support/installations/{installationId}/telemetry-interval': setTelemetryInterval as RouteHandler,
  'DELETE /v1/support/installations/{installationId}/telemetry-interval': endTelemetryInterval as RouteHandler,
};

export const handler = dispatchByRouteKey('telemetry-interval', byRouteKey);
