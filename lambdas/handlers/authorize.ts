/**
 * The HTTP API's Lambda authorizer (REQUEST, simple responses) of the 'staff-or-machine' routes:
 * a person's ID token or a machine client's scoped access token (lambdas/shared/token-authorizer.ts).
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { machineClientRecords } from '../shared/machine-clients-deps';
import { required } from '../shared/env';
import { withHouseStack } from '../shared/handler-stack';
import { tokenAuthorizer } from '../shared/token-authorizer';

let authorize: ReturnType<typeof tokenAuthorizer> | undefined;

export const handler = withHouseStack(async (event: APIGatewayRequestAuthorizerEventV2) => {
  authorize ??= tokenAuthorizer(
    {
      issuer: required('TOKEN_ISSUER'),
      jwksUrl: required('TOKEN_JWKS_URL'),
      portalClientId: required('PORTAL_CLIENT_ID'),
    },
    machineClientRecords(),
  );
  const header = event.headers?.['authorization'] ?? event.identitySource?.[0];
  return authorize(header, event.routeKey);
});
