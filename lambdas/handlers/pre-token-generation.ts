/**
 * Cognito's Pre Token Generation trigger (V2_0 event: ID and access tokens), on every sign-in and
 * refresh: the staff policy (core/accounts/staff-policy.ts) decides the groups and claims. An error
 * fails the sign-in: a token is never issued without the policy.
 */
import * as z from 'zod/mini';
import { tokenGrantFor } from '../core/accounts/staff-policy';
import { withHouseStack } from '../shared/handler-stack';
import { mfaSettingsOf } from '../shared/mfa-settings';
import { logger } from '../shared/powertools';

const eventSchema = z.looseObject({
  version: z.literal('2'),
  userPoolId: z.string().check(z.minLength(1)),
  userName: z.string().check(z.minLength(1)),
  request: z.looseObject({
    groupConfiguration: z.looseObject({ groupsToOverride: z._default(z.array(z.string()), []) }),
  }),
  response: z.looseObject({}),
});

export const handler = withHouseStack(async (raw: unknown) => {
  const event = eventSchema.parse(raw);
  const grant = await tokenGrantFor(mfaSettingsOf(event.userPoolId), {
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
