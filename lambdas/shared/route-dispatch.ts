/**
 * One function answering several HTTP routes, each by its own handler module, chosen by API
 * Gateway's `routeKey`. Used where one function per route would push the stateless stack over
 * CloudFormation's 500 resources (lib/routes.ts `operation`).
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export function dispatchByRouteKey(name: string, byRouteKey: Readonly<Record<string, RouteHandler>>): RouteHandler {
  return async (event, context) => {
    const route = byRouteKey[event.routeKey];
    // Only a route table that names this function for a route it does not list reaches here.
    if (!route) throw new Error(`${name}: no route ${event.routeKey}`);
    return route(event, context);
  };
}
