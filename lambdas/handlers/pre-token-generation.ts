/**
 * Cognito's Pre Token Generation trigger (V2_0 event: ID and access tokens), on every sign-in and
 * refresh: the staff policy (core/accounts/staff-policy.ts) decides the groups and claims. An error
 * fails the sign-in: a token is never issued without the policy.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod';
import { CognitoMfaSettings } from '../adapters/cognito-mfa-settings';
import { tokenGrantFor } from '../core/accounts/staff-policy';
import { withHouseStack } from '../shared/handler-stack';
import { logger, traced } from '../shared/powertools';

const eventSchema = z.looseObject({
  version: z.literal('2'),
  userPoolId: z.string().min(1),
  userName: z.string().min(1),
  request: z.looseObject({
    groupConfiguration: z.looseObject({ groupsToOverride: z.array(z.string()).default([]) }),
  }),
  response: z.looseObject({}),
});

const client = traced(new CognitoIdentityProviderClient({}));

export const handler = withHouseStack(async (raw: unknown) => {
  const event = eventSchema.parse(raw);
  const grant = await tokenGrantFor(new CognitoMfaSettings(client, event.userPoolId), {
    username: event.userName,
    groups: event.request.groupConfiguration.groupsToOverride,
  });
  if (grant.withheldGroups.length > 0)
    logger.info('staff groups withheld until TOTP', { groups: grant.withheldGroups });
  return {
    ...event,
    response: {
      claimsAndScopeOverrideDetails: {
        groupOverrideDetails: { groupsToOverride: grant.groups },
        idTokenGeneration: { claimsToAddOrOverride: grant.claims },
        accessTokenGeneration: { claimsToAddOrOverride: grant.claims },
      },
    },
  };
});
