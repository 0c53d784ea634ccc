/**
 * One function for the terms routes (lib/routes.ts `terms`): each route's own handler module answers
 * it, chosen by API Gateway's `routeKey`. One function instead of seven keeps the stateless stack
 * under CloudFormation's 500 resources.
 */
import { handler as acceptTerms } from './accept-terms';
import { handler as getAccountTerms } from './get-account-terms';
import { handler as getTermsHistory } from './get-terms-history';
import { handler as listTerms } from './list-terms';
import { handler as listTermsConsents } from './list-terms-consents';
import { handler as objectToTerms } from './object-to-terms';
import { handler as publishTerms } from './publish-terms';
import { dispatchByRouteKey, type RouteHandler } from '../shared/route-dispatch';

const byRouteKey: Readonly<Record<string, RouteHandler>> = {
  'POST /v1/ops/terms': publishTerms as RouteHandler,
  'GET /v1/terms': listTerms as RouteHandler,
  'GET /v1/ops/terms/{version}/consents': listTermsConsents as RouteHandler,
  'GET /v1/accounts/{accountId}/terms': getAccountTerms as RouteHandler,
  'GET /v1/accounts/{accountId}/terms/history': getTermsHistory as RouteHandler,
  'POST /v1/accounts/{accountId}/terms/{version}/acceptance': acceptTerms as RouteHandler,
  'POST /v1/accounts/{accountId}/terms/{version}/objection': objectToTerms as RouteHandler,
};

/** The route keys this function answers (a test holds them to the route table). */
export const termsRouteKeys = Object.keys(byRouteKey);

export const handler = dispatchByRouteKey('terms', byRouteKey);
