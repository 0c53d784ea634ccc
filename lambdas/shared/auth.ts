/**
 * The signed-in person behind a portal, back-office or support request, from the JWT claims API
 * Gateway's authorizer (Cognito in the cloud, the local issuer locally) has already verified.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { UnauthorizedError, ForbiddenError } from '../core/errors';
import type { SignedInPerson } from '../core/accounts/person';
import type { Principal, Role } from '../core/licensing/access';

const precedence: readonly Role[] = ['backoffice', 'support', 'reseller', 'customer'];

/** What the Lambda authorizer (lambdas/handlers/authorize.ts) hands on for a machine client. */
export const machineContextKind = 'machine';
/** …and for a token it could not verify (expired, bad signature): the handler answers 401. */
export const unauthenticatedContextKind = 'unauthenticated';

type AuthorizerContext = {
  authorizer?: { jwt?: { claims?: Record<string, unknown> }; lambda?: Record<string, unknown> };
};

/** The verified claims: the JWT authorizer's, or the Lambda authorizer's context (a person's claims as it passed them). */
function claimsOf(event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>) {
  const authorizer = (event.requestContext as AuthorizerContext).authorizer;
  return authorizer?.jwt?.claims ?? authorizer?.lambda;
}

/** API Gateway renders array claims as "[a b]"; tokens may also carry a real array or "a,b". */
export function parseGroups(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** Throws 401 when the Lambda authorizer passed the request marked unauthenticated (token_authorizer.ts). */
export function assertNotUnauthenticated(event: { readonly requestContext: unknown }): void {
  if ((event.requestContext as AuthorizerContext).authorizer?.lambda?.['kind'] === unauthenticatedContextKind)
    throw new UnauthorizedError('The bearer token is expired or not valid.');
}

export function principalFromEvent(event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>): Principal {
  assertNotUnauthenticated(event);
  const claims = claimsOf(event);
  if (!claims || typeof claims.sub !== 'string') throw new UnauthorizedError('A bearer token is required.');
  // The authorizer admitted the machine on this route's scope only: it acts as the back office, as itself.
  if (claims['kind'] === machineContextKind) return { role: 'backoffice', sub: claims.sub };
  const groups = parseGroups(claims['cognito:groups']);
  const role = precedence.find((r) => groups.includes(r));
  if (!role) throw new ForbiddenError('Your user belongs to no role of this service.');
  const accountId = typeof claims['custom:accountId'] === 'string' ? claims['custom:accountId'] : undefined;
  const resellerId = typeof claims['custom:resellerId'] === 'string' ? claims['custom:resellerId'] : undefined;
  if (role === 'customer' && !accountId) throw new ForbiddenError('Your user is not linked to a Smart Account.');
  if (role === 'reseller' && !resellerId) throw new ForbiddenError('Your user is not linked to a reseller.');
  return { role, sub: claims.sub, ...(accountId ? { accountId } : {}), ...(resellerId ? { resellerId } : {}) };
}

/**
 * For the sign-up routes alone (create a Smart Account, apply as a reseller): any signed-in person,
 * with or without a group or an account; the use case decides who may.
 */
export function personFromEvent(
  event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>,
): SignedInPerson {
  const claims = claimsOf(event);
  if (!claims || typeof claims.sub !== 'string' || claims['kind'] === machineContextKind)
    throw new UnauthorizedError('A bearer token is required.');
  const accountId = typeof claims['custom:accountId'] === 'string' ? claims['custom:accountId'] : undefined;
  const resellerId = typeof claims['custom:resellerId'] === 'string' ? claims['custom:resellerId'] : undefined;
  return {
    sub: claims.sub,
    groups: parseGroups(claims['cognito:groups']),
    ...(accountId ? { accountId } : {}),
    ...(resellerId ? { resellerId } : {}),
  };
}
