/**
 * The HTTP API's access log line (lib/stacks/stateless-stack.ts): context variables only, no
 * header or body, so nothing a client sends beyond its IP. No `requestTime`: the line's own
 * CloudWatch timestamp says when, and the field was 15 % of every line ingested. bench/cost.ts
 * prices a line of this format.
 */
export const apiAccessLogFields = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
} as const;
