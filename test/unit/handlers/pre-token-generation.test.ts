/**
 * The Pre Token Generation trigger (V2_0), with the event as Cognito's documentation shows it: the
 * staff groups reach the tokens only with TOTP enabled, customers cost no AdminGetUser, and a
 * failed read fails the sign-in rather than issue a token without the policy.
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '#lambdas/handlers/pre-token-generation';

const cognito = mockClient(CognitoIdentityProviderClient);
beforeEach(() => cognito.reset());

/** The V2_0 event of the Cognito developer guide's example, on a refresh. */
const eventFor = (groups: string[]) => ({
  version: '2',
  triggerSource: 'TokenGeneration_RefreshTokens',
  region: 'eu-central-1',
  userPoolId: 'eu-central-1_EXAMPLE',
  userName: 'f4e8b4a2-0000-4000-8000-000000000001',
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
  request: {
    userAttributes: { sub: 'f4e8b4a2-0000-4000-8000-000000000001', email: 'ops@example.com', email_verified: 'true' },
    groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null },
    scopes: ['aws.cognito.signin.user.admin'],
  },
  response: { claimsAndScopeOverrideDetails: null },
});

interface Answer {
  response: {
    claimsAndScopeOverrideDetails: Record<
      'groupOverrideDetails' | 'idTokenGeneration' | 'accessTokenGeneration',
      unknown
    >;
  };
}
const invoke = (event: unknown) => (handler as (e: unknown, c: Context) => Promise<Answer>)(event, {} as Context);

describe('the Pre Token Generation trigger', () => {
  it('withholds the back-office group from a user without TOTP and asks it to enrol', async () => {
    // Arrange
    cognito.on(AdminGetUserCommand).resolves({ Username: 'x', UserMFASettingList: [] });

    // Act
    const result = await invoke(eventFor(['backoffice']));

    // Assert
    expect(result.response.claimsAndScopeOverrideDetails).toEqual({
      groupOverrideDetails: { groupsToOverride: [] },
      idTokenGeneration: { claimsToAddOrOverride: { 'ucx:mfa_setup_required': 'true' } },
      accessTokenGeneration: { claimsToAddOrOverride: { 'ucx:mfa_setup_required': 'true' } },
    });
    expect(cognito.commandCalls(AdminGetUserCommand)[0]!.args[0].input).toEqual({
      UserPoolId: 'eu-central-1_EXAMPLE',
      Username: 'f4e8b4a2-0000-4000-8000-000000000001',
    });
  });

  it('issues the support group to a user with TOTP enabled', async () => {
    // Arrange
    cognito.on(AdminGetUserCommand).resolves({ Username: 'x', UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] });

    // Act
    const result = await invoke(eventFor(['support']));

    // Assert
    expect(result.response.claimsAndScopeOverrideDetails.groupOverrideDetails).toEqual({
      groupsToOverride: ['support'],
    });
    expect(result.response.claimsAndScopeOverrideDetails.idTokenGeneration).toEqual({ claimsToAddOrOverride: {} });
  });

  it('reads no MFA settings for a customer', async () => {
    // Act
    const result = await invoke(eventFor(['customer']));

    // Assert
    expect(result.response.claimsAndScopeOverrideDetails.groupOverrideDetails).toEqual({
      groupsToOverride: ['customer'],
    });
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(0);
  });

  it('fails the sign-in when the MFA settings cannot be read', async () => {
    // Arrange
    cognito
      .on(AdminGetUserCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));

    // Act / Assert
    await expect(invoke(eventFor(['backoffice']))).rejects.toThrow('Rate exceeded');
  });

  it('refuses an event that is not V2', async () => {
    // Act / Assert
    await expect(invoke({ ...eventFor(['backoffice']), version: '1' })).rejects.toThrow();
  });
});
