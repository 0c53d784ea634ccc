/** API Gateway v2 events of signed-in users (JWT claims as the authorizer passes them) and a caller for handlers. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '#lambdas/core/licensing/access';

export function userEvent(
  principal: Principal,
  init: { path: string; pathParameters: Record<string, string>; query?: Record<string, string>; body?: unknown },
): APIGatewayProxyEventV2 {
  const claims = {
    sub: principal.sub,
    'cognito:groups': `[${principal.role}]`,
    ...(principal.accountId ? { 'custom:accountId': principal.accountId } : {}),
    ...(principal.resellerId ? { 'custom:resellerId': principal.resellerId } : {}),
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: init.path,
    rawQueryString: new URLSearchParams(init.query ?? {}).toString(),
    headers: { 'content-type': 'application/json' },
    pathParameters: init.pathParameters,
    ...(init.query ? { queryStringParameters: init.query } : {}),
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    isBase64Encoded: false,
    requestContext: { authorizer: { jwt: { claims, scopes: [] } }, http: { method: 'GET', path: init.path } },
  } as unknown as APIGatewayProxyEventV2;
}

const context = { functionName: 'test', awsRequestId: 'req-1' } as Context;
export const call = async (
  h: (e: APIGatewayProxyEventV2, c: Context) => Promise<unknown>,
  event: APIGatewayProxyEventV2,
) => {
  const result = (await h(event, context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(String(result.body ?? 'null')) };
};
