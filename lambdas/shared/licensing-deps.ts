/** Composition root of the licensing handlers: adapters chosen from the environment, built once per container. */
import { DynamoDbAccountIds } from '../adapters/dynamodb-account-ids';
import { DynamoDbActivationKeyStore } from '../adapters/dynamodb-activation-key-store';
import type { ActivationKeyStore } from '../core/licensing/activation-keys';
import type { AccountPeople } from '../core/licensing/actor-names';
import { DynamoDbUserIndex } from '../adapters/dynamodb-user-index';
import { DynamoDbAuditWriter } from '../adapters/dynamodb-audit-writer';
import { DynamoDbAuditLog } from '../adapters/dynamodb-audit-log';
import { DynamoDbLicensingRepository } from '../adapters/dynamodb-licensing-repository';
import { DynamoDbResellerAccounts } from '../adapters/dynamodb-reseller-accounts';
import { DynamoDbStaleReleaseStore } from '../adapters/dynamodb-stale-release-store';
import type { StaleReleaseStore } from '../core/licensing/stale-release';
import { dynamoReadClient } from '../adapters/aws-clients';
import { licensingTableClient } from '../adapters/licensing-table-client';
import { signerFromRef } from '../adapters/licence-signers';
import { randomIds } from '../adapters/random-ids';
import type { LicenseSettings, LicensingDeps } from '../core/licensing/deps';
import type { AuditLogReader } from '../core/licensing/list-audit-events';
import type { ResellerAccountsReader } from '../core/licensing/list-reseller-accounts';
import { systemClock } from '../core/ports';
import { env, required } from './env';
import { logger } from './powertools';
import { emitCount } from './business-metrics';
import { servingRegion } from './serving-region';

let deps: LicensingDeps | undefined;
let settings: LicenseSettings | undefined;
let auditLog: AuditLogReader | undefined;
let resellerAccounts: ResellerAccountsReader | undefined;
let accountIds: DynamoDbAccountIds | undefined;

export function licensingDeps(): LicensingDeps {
  deps ??= {
    repo: new DynamoDbLicensingRepository(licensingTableClient(), required('TABLE_NAME'), {
      reads: dynamoReadClient,
      onViewsDeferred: (accountId, error) =>
        logger.warn("the account's terms are copied to its installations by the 5-minute repair", { accountId, error }),
    }),
    clock: systemClock,
    ids: randomIds,
    log: { warn: (message, details) => logger.warn(message, details) },
    here: servingRegion(),
    metrics: { count: (name) => emitCount(name) },
  };
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

export function licenseSettings(): LicenseSettings {
  if (!settings) {
    const e = env();
    settings = {
      signer: signerFromRef(required('SIGNING_KEY_REF')),
      nextPollSeconds: e.NEXT_POLL_SECONDS,
      licenseTtlDays: e.LICENSE_TTL_DAYS,
      shortfallGraceDays: e.SHORTFALL_GRACE_DAYS,
    };
  }
  return settings;
}
