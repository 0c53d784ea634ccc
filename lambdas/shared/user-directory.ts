/**
 * The user directory the account-users handlers talk to, from `USER_DIRECTORY`: `cognito:<user pool
 * id>` in the cloud (set by the CDK stack), `local:<path of users.json>` in the local cloud (its
 * override, local/cloud.ts); both with the user index on the licensing table (TABLE_NAME).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { licensingTableClient } from '../adapters/licensing-table-client';
import { CognitoUserDirectory } from '../adapters/cognito-user-directory';
import { DynamoDbUserIndex } from '../adapters/dynamodb-user-index';
import { LocalUserDirectory } from '../adapters/local-user-directory';
import { SesMailer } from '../adapters/ses-mailer';
import type { Mailer } from '../core/accounts/terms';
import type { UserIndex } from '../core/accounts/user-index';
import type { UserDirectory } from '../core/accounts/users';
import { env, required } from './env';
import { traced } from './powertools';

let directory: UserDirectory | undefined;
let index: UserIndex | undefined;

/** The user index on the licensing table. */
export function userIndex(): UserIndex {
  index ??= new DynamoDbUserIndex(licensingTableClient(), required('TABLE_NAME'));
  return index;
}

/** SES, where the function may send (MAILER `ses:<configuration set>`): the notice to a linked user. */
function sesMailer(): Mailer | undefined {
  const ref = env().MAILER;
  if (!ref?.startsWith('ses:')) return undefined;
  return new SesMailer(traced(new SESv2Client({})), ref.slice('ses:'.length), required('MAIL_FROM'));
}

export function userDirectoryFrom(ref: string, users: UserIndex = userIndex()): UserDirectory {
  const [kind, ...rest] = ref.split(':');
  const target = rest.join(':');
  if (kind === 'cognito' && target)
    return new CognitoUserDirectory(traced(new CognitoIdentityProviderClient({})), target, users, sesMailer());
  if (kind === 'local' && target) return new LocalUserDirectory(target, users);
  throw new Error(`invalid Lambda environment: USER_DIRECTORY must be cognito:<pool id> or local:<file>, not ${ref}`);
}

export function userDirectory(ref: string): UserDirectory {
  directory ??= userDirectoryFrom(ref);
  return directory;
}
