/**
 * The HTTP routes of the service as plain data: method, path, the function that answers and how
 * the caller is authenticated. The CDK app builds the HTTP API from them (lib/routes.ts adds what
 * each function needs) and the OpenAPI document describes each (openapi.ts); no CDK import here.
 */
import type { MachineScope } from '../core/accounts/machine-clients';
export type RouteAuth =
  /** signed by an installation's Ed25519 key (RFC 9421), verified in the handler */
  | 'agent'
  /** `Authorization: Bearer <JWT>`: Cognito in the cloud, locally issued tokens locally */
  | 'user'
  /** no authentication */
  | 'public'
  /**
   * a person's ID token as for 'user', or a machine client's access token carrying the route's
   * `scope` (docs/back-office.md): the Lambda authorizer (lambdas/handlers/authorize.ts)
   */
  | 'staff-or-machine';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  readonly method: HttpMethod;
  /** API Gateway path with `{param}` placeholders */
  readonly path: string;
  /** the answering function's name in lib/routes.ts `functionSpecs`; also the operationId unless `operation` names it */
  readonly fn: string;
  /**
   * the operationId where several routes share one function (a stack holds at most 500 resources,
   * and each function brings six); the function tells the routes apart by `routeKey`
   */
  readonly operation?: string;
  readonly auth: RouteAuth;
  /** the scope a machine client needs on a 'staff-or-machine' route */
  readonly scope?: MachineScope;
}

export const apiRoutes = [
  // The agent-facing contract (DESIGN.md, v1)
  { method: 'POST', path: '/v1/activations', fn: 'activate', auth: 'agent' },
  { method: 'GET', path: '/v1/installations/{id}/license', fn: 'getLicense', auth: 'agent' },
  { method: 'DELETE', path: '/v1/installations/{id}', fn: 'deactivate', auth: 'agent' },
  { method: 'GET', path: '/.well-known/jwks.json', fn: 'jwks', auth: 'public' },
  { method: 'GET', path: '/.well-known/jwks.json.jws', fn: 'signedJwks', auth: 'public' },
  { method: 'GET', path: '/v1/openapi.json', fn: 'openapi', auth: 'public' },
  { method: 'POST', path: '/v1/installations/{id}/telemetry', fn: 'ingestTelemetry', auth: 'agent' },
  { method: 'GET', path: '/v1/telemetry/catalogue', fn: 'telemetryCatalogue', auth: 'public' },
  // Back office, portal and support
  { method: 'PUT', path: '/v1/ops/orders/{orderId}', fn: 'putOrder', auth: 'staff-or-machine', scope: 'orders:write' },
  // The back office's finding aids and the order preview (docs/back-office.md)
  {
    method: 'POST',
    path: '/v1/ops/orders/{orderId}/preview',
    fn: 'previewOrder',
    auth: 'staff-or-machine',
    scope: 'orders:write',
  },
  { method: 'GET', path: '/v1/ops/orders', fn: 'listRecentOrders', auth: 'staff-or-machine', scope: 'accounts:read' },
  { method: 'GET', path: '/v1/ops/accounts', fn: 'searchAccounts', auth: 'staff-or-machine', scope: 'accounts:read' },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}',
    fn: 'getAccount',
    auth: 'staff-or-machine',
    scope: 'accounts:read',
  },
  { method: 'POST', path: '/v1/accounts/{accountId}/activation-keys', fn: 'createActivationKey', auth: 'user' },
  // the key list and revocation: operations of the function that creates keys (docs/licensing.md)
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/activation-keys',
    fn: 'createActivationKey',
    operation: 'listActivationKeys',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/activation-keys/{keyId}',
    fn: 'createActivationKey',
    operation: 'revokeActivationKey',
    auth: 'user',
  },
  { method: 'POST', path: '/v1/accounts/{accountId}/offline-activations', fn: 'offlineActivation', auth: 'user' },
  { method: 'PATCH', path: '/v1/accounts/{accountId}/telemetry', fn: 'setTelemetry', auth: 'user' },
  { method: 'PATCH', path: '/v1/accounts/{accountId}/stale-release', fn: 'setStaleRelease', auth: 'user' },
  {
    method: 'PATCH',
    path: '/v1/accounts/{accountId}/installations/{installationId}',
    fn: 'changeAllocation',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/installations/{installationId}',
    fn: 'deactivateAccountInstallation',
    auth: 'user',
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/installations/health',
    fn: 'listAccountInstallations',
    auth: 'user',
  },
  { method: 'GET', path: '/v1/accounts/{accountId}/findings', fn: 'listAccountFindings', auth: 'user' },
  { method: 'GET', path: '/v1/installations/{id}/snapshot', fn: 'getInstallationSnapshot', auth: 'user' },
  { method: 'GET', path: '/v1/installations/{id}/findings', fn: 'listInstallationFindings', auth: 'user' },
  // the installation's history (docs/proactive-support.md "History"): an operation of the findings' function
  {
    method: 'GET',
    path: '/v1/installations/{id}/history',
    fn: 'listInstallationFindings',
    operation: 'getInstallationHistory',
    auth: 'user',
  },
  {
    method: 'POST',
    path: '/v1/installations/{id}/findings/{findingId}/acknowledgements',
    fn: 'acknowledgeFinding',
    auth: 'user',
  },
  { method: 'GET', path: '/v1/resellers/{resellerId}/accounts', fn: 'listResellerAccounts', auth: 'user' },
  // The people of an account, sign-up and resellers: one function (accountPeople), an operation each
  {
    method: 'POST',
    path: '/v1/accounts/{accountId}/users',
    fn: 'accountPeople',
    operation: 'inviteAccountUser',
    auth: 'user',
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/users',
    fn: 'accountPeople',
    operation: 'listAccountUsers',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/users/{userId}',
    fn: 'accountPeople',
    operation: 'removeAccountUser',
    auth: 'user',
  },
  { method: 'GET', path: '/v1/accounts/{accountId}/audit', fn: 'listAuditEvents', auth: 'user' },
  // Sign-up, resellers (docs/accounts.md)
  { method: 'POST', path: '/v1/accounts', fn: 'accountPeople', operation: 'createAccount', auth: 'user' },
  { method: 'POST', path: '/v1/resellers', fn: 'accountPeople', operation: 'applyReseller', auth: 'user' },
  {
    method: 'GET',
    path: '/v1/resellers/application',
    fn: 'accountPeople',
    operation: 'getResellerApplication',
    auth: 'user',
  },
  {
    method: 'GET',
    path: '/v1/ops/resellers',
    fn: 'accountPeople',
    operation: 'listResellerApplications',
    auth: 'user',
  },
  {
    method: 'POST',
    path: '/v1/ops/resellers/{resellerId}/approval',
    fn: 'accountPeople',
    operation: 'approveReseller',
    auth: 'user',
  },
  // The vendor's machine clients (docs/back-office.md): persons only, never a machine
  { method: 'POST', path: '/v1/ops/clients', fn: 'accountPeople', operation: 'createMachineClient', auth: 'user' },
  { method: 'GET', path: '/v1/ops/clients', fn: 'accountPeople', operation: 'listMachineClients', auth: 'user' },
  {
    method: 'DELETE',
    path: '/v1/ops/clients/{clientId}',
    fn: 'accountPeople',
    operation: 'revokeMachineClient',
    auth: 'user',
  },
  {
    method: 'PUT',
    path: '/v1/accounts/{accountId}/reseller',
    fn: 'accountPeople',
    operation: 'setAccountReseller',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/reseller',
    fn: 'accountPeople',
    operation: 'removeAccountReseller',
    auth: 'user',
  },
  { method: 'GET', path: '/v1/support/installations', fn: 'listSupportInstallations', auth: 'user' },
  // Support's fleet overview and per-account rule settings, the back office's advisory tables
  // (docs/proactive-support.md): one function, an operation each
  { method: 'GET', path: '/v1/support/overview', fn: 'supportSettings', operation: 'getFleetOverview', auth: 'user' },
  {
    method: 'GET',
    path: '/v1/support/accounts/{accountId}/rule-settings',
    fn: 'supportSettings',
    operation: 'getRuleSettings',
    auth: 'user',
  },
  {
    method: 'PUT',
    path: '/v1/support/accounts/{accountId}/rule-settings/{ruleId}',
    fn: 'supportSettings',
    operation: 'putRuleSetting',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/support/accounts/{accountId}/rule-settings/{ruleId}',
    fn: 'supportSettings',
    operation: 'deleteRuleSetting',
    auth: 'user',
  },
  { method: 'GET', path: '/v1/ops/advisories', fn: 'supportSettings', operation: 'listAdvisoryTables', auth: 'user' },
  {
    method: 'PUT',
    path: '/v1/ops/advisories/{ruleId}',
    fn: 'supportSettings',
    operation: 'putAdvisoryTable',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/ops/advisories/{ruleId}',
    fn: 'supportSettings',
    operation: 'deleteAdvisoryTable',
    auth: 'user',
  },
  // Support's telemetry cycle of one installation (docs/telemetry.md): one function, an operation each
  {
    method: 'PUT',
    path: '/v1/support/installations/{installationId}/telemetry-interval',
    fn: 'telemetryInterval',
    operation: 'setTelemetryInterval',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/support/installations/{installationId}/telemetry-interval',
    fn: 'telemetryInterval',
    operation: 'endTelemetryInterval',
    auth: 'user',
  },
  // The Presence Service (DESIGN.md, "The Presence contract (v1)"); its WebSocket API is lib/'s
  { method: 'GET', path: '/v1/accounts/{accountId}/presence', fn: 'getPresenceSettings', auth: 'user' },
  { method: 'PATCH', path: '/v1/accounts/{accountId}/presence', fn: 'setPresence', auth: 'user' },
  { method: 'POST', path: '/v1/accounts/{accountId}/presence/connections', fn: 'connectPresenceTenant', auth: 'user' },
  {
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/presence/connections',
    fn: 'disconnectPresenceTenant',
    auth: 'user',
  },
  // Microsoft's side: the browser after consent, and Graph's notifications (checked by state and clientState)
  { method: 'GET', path: '/v1/presence/callback', fn: 'completePresenceConnection', auth: 'public' },
  { method: 'POST', path: '/v1/presence/notifications', fn: 'receivePresenceNotifications', auth: 'public' },
  { method: 'POST', path: '/v1/presence/lifecycle', fn: 'receivePresenceLifecycle', auth: 'public' },
  { method: 'POST', path: '/v1/installations/{id}/presence/snapshot', fn: 'presenceSnapshot', auth: 'agent' },
  // Closure, export and retention (docs/retention.md): one function (accountClosure), an operation each
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/export',
    fn: 'accountClosure',
    operation: 'exportAccount',
    auth: 'user',
  },
  {
    method: 'POST',
    path: '/v1/accounts/{accountId}/closure',
    fn: 'accountClosure',
    operation: 'closeAccount',
    auth: 'user',
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/closure',
    fn: 'accountClosure',
    operation: 'getAccountClosure',
    auth: 'user',
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/closure',
    fn: 'accountClosure',
    operation: 'reopenAccount',
    auth: 'user',
  },
  // Terms versions and consent (docs/terms.md): one function (terms), an operation each
  { method: 'POST', path: '/v1/ops/terms', fn: 'terms', operation: 'publishTerms', auth: 'user' },
  { method: 'GET', path: '/v1/terms', fn: 'terms', operation: 'listTerms', auth: 'user' },
  {
    method: 'GET',
    path: '/v1/ops/terms/{version}/consents',
    fn: 'terms',
    operation: 'listTermsConsents',
    auth: 'user',
  },
  { method: 'GET', path: '/v1/accounts/{accountId}/terms', fn: 'terms', operation: 'getAccountTerms', auth: 'user' },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/terms/history',
    fn: 'terms',
    operation: 'getTermsHistory',
    auth: 'user',
  },
  {
    method: 'POST',
    path: '/v1/accounts/{accountId}/terms/{version}/acceptance',
    fn: 'terms',
    operation: 'acceptTerms',
    auth: 'user',
  },
  {
    method: 'POST',
    path: '/v1/accounts/{accountId}/terms/{version}/objection',
    fn: 'terms',
    operation: 'objectToTerms',
    auth: 'user',
  },
] as const satisfies readonly ApiRoute[];

/** The functions that answer HTTP routes, one route each. */
export type ApiFunctionName = (typeof apiRoutes)[number]['fn'];

type Route = (typeof apiRoutes)[number];
/** Each route's operationId: its `operation`, else its function's name. */
export type ApiOperationName = Route extends infer R
  ? R extends { operation: infer O extends string }
    ? O
    : R extends { fn: infer F extends string }
      ? F
      : never
  : never;

export const operationNameOf = (route: ApiRoute): ApiOperationName => (route.operation ?? route.fn) as ApiOperationName;
