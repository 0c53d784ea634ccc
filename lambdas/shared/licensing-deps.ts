/** Composition root of the licensing handlers: adapters chosen from the environment, built once per container. */
import { DynamoDbAccountIds } from '../adapters/dynamodb-account-ids';
import { DynamoDbActivationKeyStore } from '../adapters/dynamodb-activation-key-store';
import type { ActivationKeyStore } from '../core/licensing/activation-keys';
import type { AccountPeople } from '../core/licensing/actor-names';
import { DynamoDbUserIndex } from '../adapters/dynamodb-user-index';
import { DynamoDbAuditWriter } from '../adapters/dynamodb-audit-writer';
import { DynamoDbAuditLog } from '../adapters/dynamodb-audit-log';
import { DynamoDbResellerAccounts } from '../adapters/dynamodb-reseller-accounts';
import { DynamoDbStaleReleaseStore } from '../adapters/dynamodb-stale-release-store';
import type { StaleReleaseStore } from '../core/licensing/stale-release';
import { licensingTableClient } from '../adapters/licensing-table-client';
import type { LicensingDeps } from '../core/licensing/deps';
import type { AuditLogReader } from '../core/licensing/list-audit-events';
import type { ResellerAccountsReader } from '../core/licensing/list-reseller-accounts';
import { required } from './env';
import { licensingDepsOn } from './licensing-deps-on';

let deps: LicensingDeps | undefined;
let auditLog: AuditLogReader | undefined;
let resellerAccounts: ResellerAccountsReader | undefined;
let accountIds: DynamoDbAccountIds | undefined;

export function licensingDeps(): LicensingDeps {
  deps ??= licensingDepsOn(licensingTableClient());
  return deps;
}

/** The account audit trail, read from the licensing table. */
export function auditLogReader(): AuditLogReader {
  auditLog ??= new DynamoDbAuditLog(licensingTableClient(), required('TABLE_NAME'));
  return auditLog;
}

/** Every account's id, page by page (the shortfall sweep). */
export function accountIdSource(): DynamoDbAccountIds {
  accountIds ??= new DynamoDbAccountIds(licensingTableClient(), required('TABLE_NAME'));
  return accountIds;
}

/** A reseller's customers, read from the licensing table. */
export function resellerAccountsReader(): ResellerAccountsReader {
  resellerAccounts ??= new DynamoDbResellerAccounts(licensingTableClient(), required('TABLE_NAME'));
  return resellerAccounts;
}

let activationKeys: ActivationKeyStore | undefined;
let people: AccountPeople | undefined;
let auditAppender: DynamoDbAuditWriter | undefined;

/** Appends one audit event on its own (the changes that are no licensing transaction: people invited, removed). */
export function auditWriter(): DynamoDbAuditWriter {
  auditAppender ??= new DynamoDbAuditWriter(licensingTableClient(), required('TABLE_NAME'));
  return auditAppender;
}

/** The account's people from the user index (no directory client): names the actors of the audit and key lists. */
export function accountPeople(): AccountPeople {
  people ??= new DynamoDbUserIndex(licensingTableClient(), required('TABLE_NAME'));
  return people;
}

/** An account's activation-key list and its revocations, on the licensing table. */
export function activationKeyStore(): ActivationKeyStore {
  activationKeys ??= new DynamoDbActivationKeyStore(licensingTableClient(), required('TABLE_NAME'));
  return activationKeys;
}

let staleRelease: StaleReleaseStore | undefined;

/** The accounts' stale-release settings, on the licensing table. */
export function staleReleaseStore(): StaleReleaseStore {
  staleRelease ??= new DynamoDbStaleReleaseStore(licensingTableClient(), required('TABLE_NAME'));
  return staleRelease;
}
