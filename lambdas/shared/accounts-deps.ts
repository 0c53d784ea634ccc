/** Composition root of the sign-up and reseller handlers: the directory, the reseller records, the licensing deps. */
import { licensingTableClient } from '../adapters/licensing-table-client';
import { DynamoDbResellers } from '../adapters/dynamodb-resellers';
import type { ResellerStore } from '../core/accounts/resellers';
import type { UserDirectory } from '../core/accounts/users';
import { required } from './env';
import { licensingDeps } from './licensing-deps';
import { userDirectory } from './user-directory';

let resellers: ResellerStore | undefined;

export function resellerStore(): ResellerStore {
  resellers ??= new DynamoDbResellers(licensingTableClient(), required('TABLE_NAME'));
  return resellers;
}

export function directory(): UserDirectory {
  return userDirectory(required('USER_DIRECTORY'));
}

/** The licensing deps with the reseller records (the routes that need no directory). */
export function resellerDeps() {
  return { ...licensingDeps(), resellers: resellerStore() };
}

/** The licensing deps with the reseller records and the user directory. */
export function accountsDeps() {
  return { ...resellerDeps(), directory: directory() };
}
