/**
 * One function for the terms routes (lib/routes.ts `terms`): each route's own handler module answers
 * it, chosen by API Gateway's `routeKey`. One function instead of seven keeps the stateless stack
 * under CloudFormation's 500 resources.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handler as acceptTerms } from './accept-terms';
import { handler as getAccountTerms } from './get-account-terms';
import { handler as getTermsHistory } from './get-terms-history';
import { handler as listTerms } from './list-terms';
import { handler as listTermsConsents } from './list-terms-consents';
import { handler as objectToTerms } from './object-to-terms';
import { handler as publishTerms } from './publish-terms';

type Route = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

const byRouteKey: Readonly<Record<string, Route>> = {
  'POST /v1/ops/terms': publishTerms as Route,
  'GET /v1/terms': listTerms as Route,
  'GET /v1/ops/terms/{version}/consents': listTermsConsents as Route,
  'GET /v1/accounts/{accountId}/terms': getAccountTerms as Route,
  'GET /v1/accounts/{accountId}/terms/history': getTermsHistory as Route,
  'POST /v1/accounts/{accountId}/terms/{version}/acceptance': acceptTerms as Route,
  'POST /v1/accounts/{accountId}/terms/{version}/objection': objectToTerms as Route,
};

/** The route keys this function answers (a test holds them to the route table). */
export const termsRouteKeys = Object.keys(byRouteKey);

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  const route = byRouteKey[event.routeKey];
  if (!route) throw new Error(`terms: no route ${event.routeKey}`);
  return route(event, context);
};
