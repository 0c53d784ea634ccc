/**
 * The user directory the account-users handlers talk to, from `USER_DIRECTORY`: `cognito:<user pool
 * id>` in the cloud (set by the CDK stack), `local:<path of users.json>` in the local cloud (its
 * override, local/cloud.ts).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserDirectory } from '../adapters/cognito-user-directory';
import { LocalUserDirectory } from '../adapters/local-user-directory';
import type { UserDirectory } from '../core/accounts/users';
import { traced } from './powertools';

let directory: UserDirectory | undefined;

export function userDirectoryFrom(ref: string): UserDirectory {
  const [kind, ...rest] = ref.split(':');
  const target = rest.join(':');
  if (kind === 'cognito' && target)
    return new CognitoUserDirectory(traced(new CognitoIdentityProviderClient({})), target);
  if (kind === 'local' && target) return new LocalUserDirectory(target);
  throw new Error(`invalid Lambda environment: USER_DIRECTORY must be cognito:<pool id> or local:<file>, not ${ref}`);
}

export function userDirectory(ref: string): UserDirectory {
  directory ??= userDirectoryFrom(ref);
  return directory;
}
