/**
 * The licensing table's partitions: the one source of the partition keys the adapters build and of
 * the `dynamodb:LeadingKeys` patterns the CDK app grants each function (lib/routes.ts,
 * docs/security.md). A pure definition: the CDK app reads it without loading the SDK.
 */

/** Partition key of each kind of item: a prefix ending in `#` followed by an id, or one fixed key. */
export const licensingPartitions = {
  /** an account: META, pools (PROD#), entitlements (ENT#), installation summaries (INST#), consents */
  account: 'ACC#',
  /** an installation: ACCT (its account's terms, copied), META (key, licence) and POLL (its last poll) */
  installation: 'INST#',
  /** an account's audit events */
  audit: 'AUDIT#',
  /** an order, kept for idempotent replays */
  order: 'ORDER#',
  /** an activation key, by its hash */
  activationKey: 'AKEY#',
  /** an installation's key thumbprint: one installation per key */
  thumbprint: 'THUMB#',
  /** the account a signed-up owner created */
  owner: 'OWNER#',
  /** a reseller's customers */
  resellerAccounts: 'RES#',
  /** a reseller (its application and status) */
  reseller: 'RESELLER#',
  /** an account's user index (the people of the directory, by account) */
  users: 'USERS#',
  /** the accounts created in a month (the back office's new-account index) */
  newAccounts: 'NEWACC#',
  /** the accounts' stale-release settings, one partition */
  staleRelease: 'STALE_RELEASE',
  /** the back office's advisory tables (cucm-compat, suite-outdated), one partition */
  advisory: 'ADVISORY',
  /** the accounts whose terms are still to be copied to their installations, one partition */
  accountViews: 'ACCTVIEW_PENDING',
} as const;

export type LicensingPartition = keyof typeof licensingPartitions;

/** The partition key of an item: `ACC#acc_1` for ('account', 'acc_1'); a fixed partition takes no id. */
export function licensingPk(partition: LicensingPartition, id = ''): string {
  return `${licensingPartitions[partition]}${id}`;
}

/** The `dynamodb:LeadingKeys` pattern (StringLike) of a partition: `ACC#*`, or the fixed key itself. */
export function leadingKeyPattern(partition: LicensingPartition): string {
  const key: string = licensingPartitions[partition];
  return key.endsWith('#') ? `${key}*` : key;
}
