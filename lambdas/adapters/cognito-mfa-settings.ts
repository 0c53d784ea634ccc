/** Whether a user pool's user has TOTP enabled: AdminGetUser's UserMFASettingList holds SOFTWARE_TOKEN_MFA. */
import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { MfaSettings } from '../core/accounts/staff-policy';

export class CognitoMfaSettings implements MfaSettings {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async totpEnabled(username: string): Promise<boolean> {
    const user = await this.client.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }));
    return (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA');
  }
}
