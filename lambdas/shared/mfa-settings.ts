/** The MFA settings the Pre Token Generation trigger reads: the event's own user pool, one client per container. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoMfaSettings } from '../adapters/cognito-mfa-settings';
import type { MfaSettings } from '../core/accounts/staff-policy';
import { traced } from './powertools';

let client: CognitoIdentityProviderClient | undefined;

export function mfaSettingsOf(userPoolId: string): MfaSettings {
  client ??= traced(new CognitoIdentityProviderClient({}));
  return new CognitoMfaSettings(client, userPoolId);
}
