/**
 * The route table: every HTTP route of the service, the Lambda that answers it and how it is
 * authenticated. The CDK app builds the HTTP API from it; the local cloud reads the synthesized
 * template (not this file), so a drift between the two shows up in the infra tests.
 */
export type RouteAuth =
  /** signed by an installation's Ed25519 key (RFC 9421), verified in the handler */
  | 'agent'
  /** `Authorization: Bearer <JWT>`: Cognito in the cloud, locally issued tokens locally */
  | 'user'
  /** no authentication */
  | 'public';

/** What a function needs from the stateful stack; the house construct grants and wires each. */
export type FunctionNeed = 'table:read' | 'table:write' | 'signing-key' | 'verify-keys';

export interface FunctionSpec {
  /** handler file under lambdas/handlers, without extension */
  readonly entry: string;
  readonly needs: readonly FunctionNeed[];
  /** @default 256 */
  readonly memoryMb?: number;
}

export const functionSpecs = {
  activate: { entry: 'activate', needs: ['table:write', 'signing-key'] },
  getLicense: { entry: 'get-license', needs: ['table:write', 'signing-key'] },
  deactivate: { entry: 'deactivate', needs: ['table:write'] },
  jwks: { entry: 'jwks', needs: ['verify-keys'] },
  putOrder: { entry: 'put-order', needs: ['table:write'] },
  getAccount: { entry: 'get-account', needs: ['table:read'] },
  createActivationKey: { entry: 'create-activation-key', needs: ['table:write'] },
  setTelemetry: { entry: 'set-telemetry', needs: ['table:write'] },
  openapi: { entry: 'openapi', needs: [] },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionSpecs;

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path with `{param}` placeholders */
  readonly path: string;
  readonly fn: FunctionName;
  readonly auth: RouteAuth;
}

export const routes: readonly RouteSpec[] = [
  // The agent-facing contract (DESIGN.md, v1)
  { method: 'POST', path: '/v1/activations', fn: 'activate', auth: 'agent' },
  { method: 'GET', path: '/v1/installations/{id}/license', fn: 'getLicense', auth: 'agent' },
  { method: 'DELETE', path: '/v1/installations/{id}', fn: 'deactivate', auth: 'agent' },
  { method: 'GET', path: '/.well-known/jwks.json', fn: 'jwks', auth: 'public' },
  { method: 'GET', path: '/v1/openapi.json', fn: 'openapi', auth: 'public' },
  // Back office, portal and support
  { method: 'PUT', path: '/v1/ops/orders/{orderId}', fn: 'putOrder', auth: 'user' },
  { method: 'GET', path: '/v1/accounts/{accountId}', fn: 'getAccount', auth: 'user' },
  { method: 'POST', path: '/v1/accounts/{accountId}/activation-keys', fn: 'createActivationKey', auth: 'user' },
  { method: 'PATCH', path: '/v1/accounts/{accountId}/telemetry', fn: 'setTelemetry', auth: 'user' },
];
