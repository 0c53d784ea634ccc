/**
 * The route table: every HTTP route of the service, the Lambda that answers it and how it is
 * authenticated, and what each function needs. The routes themselves are plain data in
 * lambdas/shared/api-routes.ts (the OpenAPI document reads them too); the CDK app builds the HTTP
 * API from them. The local cloud reads the synthesized template (not this file), so a drift between
 * the two shows up in the infra tests.
 */
import { apiRoutes, type ApiRoute, type RouteAuth } from '../lambdas/shared/api-routes';
import { leadingKeyPattern, type LicensingPartition } from '../lambdas/shared/licensing-table-keys';
import type { HouseTracing, TableItemScope } from './constructs/house-function';

export type { RouteAuth };

/** What a function needs from the stateful stack; the house construct grants and wires each. */
export type FunctionNeed =
  | 'table:read'
  | 'table:write'
  /** kms:Sign with this region's current signing key (SIGNING_KEY_REF) */
  | 'signing-key'
  /** the public keys of every signing key of both regions (VERIFY_KEY_REFS) */
  | 'verify-keys'
  /** kms:Sign with this region's next and retiring keys too (SIGNING_KEY_REFS), for the signed JWKS */
  | 'jwks-signing-keys'
  /** PutRecord(s) on this region's telemetry stream (TELEMETRY_STREAM_NAME) */
  | 'telemetry-stream:write'
  /** PutObject under `beats/` of this region's archive bucket (ARCHIVE_BUCKET) */
  | 'archive:write'
  /** queries in the telemetry workgroup, the archive's Glue tables, Parquet runs and manifests (lib/constructs/archive-compaction.ts) */
  | 'archive:compact'
  /** GetItem and Query (table and its gsi2) on this region's support table (SUPPORT_TABLE_NAME) */
  | 'support-table:read'
  /** support-table:read plus PutItem (support's acknowledgements) */
  | 'support-table:write'
  /** PutEvents on this region's proactive-support bus only (EVENT_BUS_NAME) */
  | 'event-bus:put'
  /** AdminGetUser, AdminCreateUser, AdminAddUserToGroup, AdminDeleteUser (an unconfirmed squatter), AdminUpdateUserAttributes and AdminListGroupsForUser on this region's user pool (USER_DIRECTORY) */
  | 'user-directory:invite'
  /** AdminGetUser on this region's user pool (who accepted an invitation); the list itself is the user index */
  | 'user-directory:list'
  /** AdminDeleteUser on this region's user pool (the user found in the user index) */
  | 'user-directory:remove'
  /** AdminGetUser, AdminListGroupsForUser, AdminUpdateUserAttributes and AdminAddUserToGroup: a person linked to their account or reseller */
  | 'user-directory:link'
  /** GetItem, Query and BatchGetItem on this region's presence table and its gsi1 (PRESENCE_TABLE_NAME) */
  | 'presence-table:read'
  /** presence-table:read plus the item writes (transactions need no action of their own) */
  | 'presence-table:write'
  /** kms:Encrypt and kms:Decrypt with this region's presence token key, `accountId` context only (PRESENCE_TOKEN_KEY) */
  | 'presence-token-key'
  /** GetSecretValue on the notification certificate secret (PRESENCE_CERTIFICATE_SECRET) */
  | 'presence-certificate'
  /** GetSecretValue on the Entra app's credentials (PRESENCE_APP_SECRET), and MS_AUTHORITY_HOST, MS_GRAPH_URL */
  | 'ms-identity'
  /** execute-api:ManageConnections on this region's presence WebSocket stage only (PRESENCE_CALLBACK_URL) */
  | 'presence-connections'
  /** SendMessage on this region's fan-out queue (PRESENCE_FANOUT_QUEUE_URL) */
  | 'presence-queue:send'
  /**
   * the HTTP API's Graph notification and lifecycle URLs and OAuth redirect URI (PRESENCE_NOTIFICATION_URL,
   * PRESENCE_LIFECYCLE_URL, PRESENCE_REDIRECT_URL), and the portal's URL when configured (PORTAL_URL)
   */
  | 'presence-urls'
  /** ses:SendEmail on the mail identity and configuration set only (MAILER, MAIL_FROM; lib/constructs/mail.ts) */
  | 'mail:send'
  /** cognito-idp:CreateUserPoolClient and DeleteUserPoolClient on this region's user pool only (MACHINE_CLIENTS, TOKEN_URL) */
  | 'machine-clients'
  /** the user pool's issuer, its JWKS and the portal client (TOKEN_ISSUER, TOKEN_JWKS_URL, PORTAL_CLIENT_ID) */
  | 'token-issuer';

/**
 * The licensing-table items a writer touches, by partition (lambdas/shared/licensing-table-keys.ts):
 * granted with `dynamodb:LeadingKeys` conditions instead of the whole table (docs/security.md).
 */
export interface TableItems {
  /** partitions it only reads */
  readonly reads: readonly LicensingPartition[];
  /** partitions it writes (and reads) */
  readonly writes: readonly LicensingPartition[];
  /** licensing-table indexes it queries */
  readonly indexes?: readonly string[];
  /** a whole-table Scan (the shortfall sweep's account ids) */
  readonly scan?: boolean;
}

export interface FunctionSpec {
  /** handler file under lambdas/handlers, without extension */
  readonly entry: string;
  readonly needs: readonly FunctionNeed[];
  /**
   * with 'table:write': the partitions it may touch
   * @default the whole table (the writers in `wholeTableWriters`)
   */
  readonly tableItems?: TableItems;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /**
   * Sum business metrics in the container and write them at most once per this many seconds
   * (METRICS_FLUSH_SECONDS, see lambdas/shared/business-metrics.ts). For the hot paths only.
   * @default per request
   */
  readonly metricsFlushSeconds?: number;
  /**
   * X-Ray: 'invocation' samples 1 request a second plus 5 % of the rest (Lambda's fixed rule) with
   * Lambda's own segments only; 'active' the same samples with the SDK calls as subsegments (the
   * X-Ray SDK in the bundle: ~110 KB, and an async hook that costs every await), for a function
   * under investigation; 'pass-through' traces only what the caller asked to trace, which behind
   * the HTTP API is nothing. For the hot paths, where 5 % is hundreds of millions of traces a month.
   * @default 'invocation'
   */
  readonly tracing?: HouseTracing;
  /**
   * Concurrency reserved for this function alone: neither starved by a burst on the API's
   * functions nor able to starve them. A stream consumer runs one invocation per shard, so its
   * reservation bounds `ucx.telemetryShards` (checked at synth).
   * @default none: the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
}

// Shared item scopes. Activation: the key it uses up, the account's pool and summary, the
// installation (with its copy of the account's terms) and its thumbprint. Deactivation and allocation
// changes: the installation, the account, and the copies of its terms they owe (accountViews).
const activationItems: TableItems = {
  reads: [],
  writes: ['activationKey', 'account', 'installation', 'thumbprint', 'audit'],
};
const deactivationItems: TableItems = { reads: [], writes: ['account', 'installation', 'accountViews', 'audit'] };
// Presence writes the licensing table only for its audit log, and reads the account it acts on.
const presenceAuditItems: TableItems = { reads: ['account', 'installation'], writes: ['audit'] };

export const functionSpecs = {
  activate: { entry: 'activate', needs: ['table:write', 'signing-key'], tableItems: activationItems },
  // Polled by every installation every 15 minutes: its counts are summed per container-minute and
  // it is not traced (its latency is in the API's and the function's own metrics).
  getLicense: {
    entry: 'get-license',
    needs: ['table:write', 'signing-key'],
    // reads the installation (with its copy of the account's terms; the account where it has none);
    // writes only the installation (licence, last poll)
    tableItems: { reads: ['account'], writes: ['installation'] },
    metricsFlushSeconds: 60,
    tracing: 'pass-through',
  },
  deactivate: { entry: 'deactivate', needs: ['table:write'], tableItems: deactivationItems },
  jwks: { entry: 'jwks', needs: ['verify-keys'] },
  // The JWKS's detached signature: how an agent learns a key it has not pinned (docs/licensing.md).
  signedJwks: { entry: 'signed-jwks', needs: ['signing-key', 'verify-keys', 'jwks-signing-keys'] },
  // Invites a new customer's first administrator (`admin` of an order that creates the account).
  putOrder: {
    entry: 'put-order',
    needs: ['table:write', 'user-directory:invite', 'mail:send'],
    // the order, the account it creates or tops up (and its new-account index entry, its reseller's
    // list, the installations it grants to), the invited administrator's user index entry
    tableItems: {
      reads: ['reseller'],
      writes: ['order', 'account', 'installation', 'accountViews', 'resellerAccounts', 'newAccounts', 'users', 'audit'],
    },
  },
  // The back office (docs/back-office.md): the preview reads what the deposit would; the searches
  // read the licensing table's indexes (gsi1, NEWACC# items) and the user index beside them.
  previewOrder: { entry: 'preview-order', needs: ['table:read'] },
  listRecentOrders: { entry: 'list-recent-orders', needs: ['table:read'] },
  searchAccounts: { entry: 'search-accounts', needs: ['table:read'] },
  getAccount: { entry: 'get-account', needs: ['table:read'] },
  // creates, lists and revokes keys (three routes); the key list lives in the account's partition
  createActivationKey: {
    entry: 'activation-keys',
    needs: ['table:write'],
    tableItems: { reads: ['account', 'installation', 'users'], writes: ['activationKey', 'account', 'audit'] },
  },
  offlineActivation: {
    entry: 'offline-activation',
    needs: ['table:write', 'signing-key', 'verify-keys'],
    tableItems: activationItems,
  },
  // the account's switch, or an installation's interval override
  setTelemetry: {
    entry: 'set-telemetry',
    needs: ['table:write'],
    tableItems: { reads: [], writes: ['account', 'installation', 'accountViews', 'audit'] },
  },
  // Support's telemetry cycle of one installation, set and ended (two routes, one function).
  telemetryInterval: {
    entry: 'telemetry-interval',
    needs: ['table:write'],
    tableItems: { reads: ['account'], writes: ['installation', 'audit'] },
  },
  setStaleRelease: {
    entry: 'set-stale-release',
    needs: ['table:write'],
    tableItems: { reads: ['account', 'installation'], writes: ['staleRelease', 'audit'] },
  },
  // The portal's installation management: allocation within free capacity, deactivation.
  changeAllocation: { entry: 'change-allocation', needs: ['table:write'], tableItems: deactivationItems },
  deactivateAccountInstallation: {
    entry: 'deactivate-account-installation',
    needs: ['table:write'],
    tableItems: deactivationItems,
  },
  openapi: { entry: 'openapi', needs: [] },
  // Cognito's Pre Token Generation trigger (V2_0) on this region's user pool: the staff policy on every
  // sign-in and refresh (docs/identity.md). Its AdminGetUser is granted by the stack, apart from the role's
  // default policy: the pool names the function, so the function's policy cannot name the pool.
  preTokenGeneration: { entry: 'pre-token-generation', needs: [] },
  // 256 MB: the largest post (500 beats, 8 MiB unpacked) peaks at about two thirds of it (the bench's
  // "ingest: peak memory" row); a steady post waits on DynamoDB and Kinesis more than it computes,
  // so half the memory (and CPU) costs a third less a post (docs/performance-and-cost.md).
  // A batch from every installation every 5 minutes: counts summed per container-minute, as for polls.
  // table:write: it records the installation's last contact (lastPollAt) at most once an hour.
  ingestTelemetry: {
    entry: 'ingest-telemetry',
    needs: ['table:write', 'telemetry-stream:write'],
    // as the poll: reads the installation and its account, writes only the installation's last contact
    tableItems: { reads: ['account'], writes: ['installation'] },
    memoryMb: 256,
    metricsFlushSeconds: 60,
    tracing: 'pass-through',
  },
  telemetryCatalogue: { entry: 'telemetry-catalogue', needs: [] },
  // A full batch (see streamConsumers) is up to Lambda's 6 MB payload of records, ~10 000 beats
  // and ~30 MB of NDJSON gzipped into one object (~2 s of CPU): 512 MB for that text and the CPU
  // to pack it, 60 s to spare.
  archiveTelemetry: {
    entry: 'archive-telemetry',
    needs: ['archive:write'],
    memoryMb: 512,
    timeoutSeconds: 60,
    reservedConcurrency: 10,
  },
  // The hourly compaction of the archive into Parquet (EventBridge Scheduler, lib/stacks/stateless-stack.ts):
  // Athena does the work, the function waits on it; 900 s for up to 6 hours of three queries each.
  compactArchive: { entry: 'compact-archive', needs: ['archive:compact'], timeoutSeconds: 900 },
  // Proactive support: the second consumer of the telemetry stream (see streamConsumers), and the
  // missing-beat sweep run by EventBridge Scheduler every 15 minutes (lib/stacks/stateless-stack.ts).
  // 1024 MB and 60 s: a batch holds up to 500 beats of many installations, each evaluated against
  // every rule with one state read and one transactional write.
  evaluateRules: {
    entry: 'evaluate-rules',
    needs: ['table:read', 'support-table:write', 'event-bus:put'],
    memoryMb: 1024,
    timeoutSeconds: 60,
    reservedConcurrency: 10,
  },
  // 300 s: up to 1000 silent installations per run, each a state read and write.
  sweepSilent: {
    entry: 'sweep-silent',
    needs: ['table:read', 'support-table:write', 'event-bus:put'],
    timeoutSeconds: 300,
    // one run at a time, and a retried one beside it
    reservedConcurrency: 2,
  },
  // The opted-in accounts' stale-release notices and releases, run by EventBridge Scheduler every
  // hour (lib/stacks/stateless-stack.ts); 300 s: each account a query and at most a few writes.
  // Each run also enforces shortfalls past their grace on a 24th of the accounts (shared/shortfall-sweep.ts).
  releaseStale: {
    entry: 'release-stale',
    needs: ['table:write'],
    // the shortfall step pages through every account id: a Scan
    tableItems: { reads: [], writes: ['staleRelease', 'account', 'installation', 'accountViews', 'audit'], scan: true },
    timeoutSeconds: 300,
  },
  // Support API: the regional support table, and the licensing table for the account's reseller.
  listAccountInstallations: { entry: 'list-account-installations', needs: ['table:read', 'support-table:read'] },
  getInstallationSnapshot: { entry: 'get-installation-snapshot', needs: ['table:read', 'support-table:read'] },
  // an installation's findings and its history (docs/proactive-support.md "History")
  listInstallationFindings: { entry: 'installation-support', needs: ['table:read', 'support-table:read'] },
  listAccountFindings: { entry: 'list-account-findings', needs: ['table:read', 'support-table:read'] },
  acknowledgeFinding: { entry: 'acknowledge-finding', needs: ['table:read', 'support-table:write'] },
  // The portal: a reseller picks the customer it acts for, seeing each one's renewals, installations and open findings.
  listResellerAccounts: { entry: 'list-reseller-accounts', needs: ['table:read', 'support-table:read'] },
  // The people of an account, sign-up and resellers (docs/accounts.md): one function for ten routes
  // (each function costs the stack six resources of its 500); the user index (USERS#<account> items)
  // is written beside the directory, the person linked to their account or reseller.
  accountPeople: {
    entry: 'account-people',
    needs: [
      'table:write',
      'user-directory:invite',
      'user-directory:list',
      'user-directory:remove',
      'user-directory:link',
      // a confirmed user linked by an invitation is told by mail (Cognito sends only its own)
      'mail:send',
      // the vendor's machine clients (docs/back-office.md): app clients of the pool, CLIENT# records
      'machine-clients',
    ],
  },
  // The Lambda authorizer of the 'staff-or-machine' routes: a person's ID token or a machine's
  // scoped access token; reads the CLIENT# records (docs/back-office.md).
  authorize: { entry: 'authorize', needs: ['table:read', 'token-issuer'] },
  // The audit trail every licensing change writes (AUDIT#<account> items of the licensing table).
  listAuditEvents: { entry: 'list-audit-events', needs: ['table:read'] },
  // Support across accounts: pages of the support table's last-beat index (gsi1) and the health of each.
  listSupportInstallations: { entry: 'list-support-installations', needs: ['table:read', 'support-table:read'] },
  // Support's fleet overview (the FLEET counters) and per-account rule settings (support table), the
  // back office's advisory tables (ADVISORY, licensing table): seven routes, one function.
  supportSettings: {
    entry: 'support-settings',
    needs: ['table:write', 'support-table:write'],
    tableItems: { reads: ['account'], writes: ['advisory', 'audit'] },
  },
  // Presence (DESIGN.md, "The Presence contract (v1)"): the account's switch and its tenant connection.
  getPresenceSettings: { entry: 'get-presence-settings', needs: ['table:read', 'presence-table:read'] },
  // Off closes the suite's sessions (@connections); the licensing table for the audit log.
  setPresence: {
    entry: 'set-presence',
    needs: ['table:write', 'presence-table:write', 'presence-connections'],
    tableItems: presenceAuditItems,
  },
  connectPresenceTenant: {
    entry: 'connect-presence-tenant',
    needs: ['table:read', 'presence-table:write', 'ms-identity', 'presence-urls'],
  },
  disconnectPresenceTenant: {
    entry: 'disconnect-presence-tenant',
    needs: ['table:write', 'presence-table:write', 'presence-token-key', 'ms-identity', 'presence-connections'],
    tableItems: presenceAuditItems,
  },
  // The OAuth redirect: the licensing table only for its audit log.
  completePresenceConnection: {
    entry: 'complete-presence-connection',
    needs: ['table:write', 'presence-table:write', 'presence-token-key', 'ms-identity', 'presence-urls'],
    tableItems: presenceAuditItems,
  },
  // Graph's change notifications: decrypt, store, queue for the fan-out; Graph wants an answer within 3 s.
  receivePresenceNotifications: {
    entry: 'receive-presence-notifications',
    needs: ['presence-table:write', 'presence-certificate', 'presence-queue:send'],
  },
  receivePresenceLifecycle: {
    entry: 'receive-presence-lifecycle',
    needs: [
      'presence-table:write',
      'presence-token-key',
      'ms-identity',
      'presence-certificate',
      'presence-urls',
      'presence-queue:send',
    ],
  },
  presenceSnapshot: {
    entry: 'presence-snapshot',
    // writes the UPN cache; reads presence it does not keep
    needs: ['table:read', 'presence-table:write', 'presence-token-key', 'ms-identity'],
  },
  // The WebSocket API's routes ($connect, $disconnect, $default): lib/stacks/stateless-stack.ts.
  presenceConnect: { entry: 'presence-connect', needs: ['table:read', 'presence-table:write', 'presence-connections'] },
  presenceDisconnect: { entry: 'presence-disconnect', needs: ['presence-table:write'] },
  // 29 s: API Gateway's integration timeout; a subscribe resolves up to 1 000 users through Graph.
  presenceMessage: {
    entry: 'presence-message',
    needs: [
      'table:read',
      'presence-table:write',
      'presence-token-key',
      'ms-identity',
      'presence-certificate',
      'presence-urls',
      'presence-connections',
    ],
    timeoutSeconds: 29,
  },
  // The fan-out queue's consumer (presenceQueueConsumer): posts each change to the sessions watching it.
  presenceFanOut: {
    entry: 'presence-fan-out',
    needs: ['presence-table:write', 'presence-connections'],
    timeoutSeconds: 30,
  },
  // Run by EventBridge Scheduler every 10 minutes: Graph's presence subscriptions last 60 minutes at most.
  renewPresenceSubscriptions: {
    entry: 'renew-presence-subscriptions',
    needs: [
      'presence-table:write',
      'presence-token-key',
      'ms-identity',
      'presence-certificate',
      'presence-urls',
      'presence-queue:send',
    ],
    timeoutSeconds: 300,
  },
  // Closure and export (core/accounts/, docs/retention.md): one function for four routes (each
  // function costs the stack six resources of its 500). Closing disconnects Presence through its own
  // use cases, so it needs what disconnecting does; the export reads every store of the account and
  // audits itself. 512 MB for a large export; 60 s for up to 100 deactivations of a closure (API
  // Gateway answers 503 after 30 s: the closure is idempotent and its retry finishes the rest).
  accountClosure: {
    entry: 'account-closure',
    needs: [
      'table:write',
      'support-table:read',
      'presence-table:write',
      'presence-token-key',
      'ms-identity',
      'presence-connections',
      'user-directory:list',
    ],
    memoryMb: 512,
    timeoutSeconds: 60,
  },
  // Run by EventBridge Scheduler every 6 hours (lib/stacks/stateless-stack.ts); 300 s: up to 25
  // accounts a run, each at most 5 000 support items and as many kept records given their expiry.
  eraseClosedAccounts: {
    entry: 'erase-closed-accounts',
    needs: ['table:write', 'support-table:write', 'presence-table:write', 'user-directory:remove'],
    timeoutSeconds: 300,
  },
  // Terms versions and consent (core/accounts/terms.ts, docs/terms.md): one function for its seven
  // routes (each function costs the stack six resources of its 500).
  terms: { entry: 'terms', needs: ['table:write'] },
  // Run by EventBridge Scheduler every hour: notices in bounded batches, then silent consent at the
  // effective date. 300 s: up to 500 accounts per pass, each a directory read and a few mails.
  runTermsJob: {
    entry: 'run-terms-job',
    needs: ['table:write', 'user-directory:list', 'mail:send'],
    timeoutSeconds: 300,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionSpecs;

/**
 * The licensing writers still granted the whole table, and why: each touches most partitions
 * (closure and erasure every item of an account, the people and terms functions a dozen kinds).
 */
export const wholeTableWriters: Readonly<Partial<Record<FunctionName, string>>> = {
  accountPeople: 'ten routes over accounts, owners, users, resellers, applicants and machine clients',
  accountClosure: 'closes an account: deactivates its installations, writes every partition it keeps',
  eraseClosedAccounts: 'erases every item of a closed account, whatever its partition',
  terms: 'terms versions, consents and the account items they bind, with a Scan of the versions',
  runTermsJob: 'notices and silent consent across accounts, with a Scan',
};

/**
 * Whether the function may write audit items (AUDIT#<account>), each a vendor event (docs/events.md):
 * a licensing writer whose tableItems include 'audit', or one granted the whole table.
 */
export function mayWriteAuditItems(spec: FunctionSpec): boolean {
  // IAM's LeadingKeys keep a writer out of the partitions its tableItems leave out
  return spec.needs.includes('table:write') && (spec.tableItems?.writes.includes('audit') ?? true);
}

/** The LeadingKeys scope `bindTable` grants a writer, from its spec; undefined for a whole-table writer. */
export function tableItemScopeOf(spec: FunctionSpec): TableItemScope | undefined {
  const items = spec.tableItems;
  if (!items) return undefined;
  return {
    reads: items.reads.map(leadingKeyPattern),
    writes: items.writes.map(leadingKeyPattern),
    ...(items.indexes ? { indexes: items.indexes } : {}),
    ...(items.scan ? { scan: true } : {}),
  };
}

export interface RouteSpec extends ApiRoute {
  readonly fn: FunctionName;
}

/** Every route names a function of `functionSpecs` (checked here, at compile time). */
export const routes: readonly RouteSpec[] = apiRoutes;

/** A stream of the stateful stack that functions consume. */
export type ConsumedStream = 'telemetry';

/**
 * A function fed by a stream through an event source mapping. Every consumer reports batch item
 * failures and sends what it gives up on to its own on-failure queue (the house construct's
 * `consumeStream`). The local cloud reads the synthesized `AWS::Lambda::EventSourceMapping`, not
 * this table.
 */
export interface StreamConsumerSpec {
  readonly fn: FunctionName;
  /** which of this region's streams; never another region's */
  readonly stream: ConsumedStream;
  /** records per invocation at most (Lambda also stops at 6 MB of payload) */
  readonly batchSize: number;
  /** seconds to gather records before invoking with a partial batch */
  readonly maxBatchingWindowSeconds: number;
  /** retries of a failing batch before its records go to the on-failure queue (bounded) */
  readonly retryAttempts: number;
  /** records older than this go to the on-failure queue instead of being (re)tried */
  readonly maxRecordAgeSeconds: number;
  /** split a failing batch in two and retry each half, to isolate a poison record */
  readonly bisect: boolean;
}

export const streamConsumers: readonly StreamConsumerSpec[] = [
  {
    fn: 'archiveTelemetry',
    stream: 'telemetry',
    // One object per invocation and arrival hour: the bigger the batch, the fewer S3 PUTs and
    // lifecycle transitions. A record is an agent's cycle (~105 beats, ~8.6 KB with its gzipped
    // beats), so Lambda's 6 MB invocation payload (~500 such records, base64 in the event) caps a
    // batch, not this (bench/results.json `agent`).
    batchSize: 10_000,
    // The archive is read hours later: waiting the longest window Lambda offers (5 minutes) per
    // shard fills objects at low traffic too.
    maxBatchingWindowSeconds: 300,
    // An S3 failure fails the whole batch (objects are overwritten, so retries are safe); 10
    // tries ride out a throttling burst without stalling the shard for long. Bisecting does not
    // count against them.
    retryAttempts: 10,
    // 24 h: 50 % of the stream's 48 h retention, so the on-failure message's sequence range can
    // still be replayed from the stream for a day.
    maxRecordAgeSeconds: 24 * 3600,
    bisect: true,
  },
  {
    fn: 'evaluateRules',
    stream: 'telemetry',
    // A record is one installation's cycle (~105 beats; a v1 record was one beat), so 100 records
    // are ~100 installations, one state read and write each, ~10 000 beats and ~1.2 MB of payload:
    // an invocation's work stays bounded (~0.5 s of CPU), well within 60 s and the 6 MB payload.
    batchSize: 100,
    // Findings should reach support within minutes, not after the archiver's 60 s buffering.
    maxBatchingWindowSeconds: 5,
    // Failures are reported per installation and retried; the state's shard checkpoints make the
    // already-evaluated records a no-op. 5 tries ride out a throttling burst; a poison
    // installation is isolated by bisecting and then given up on instead of stalling the shard.
    retryAttempts: 5,
    // 6 h: a finding on older beats is stale (the next beats re-evaluate anyway), and the
    // on-failure message's range stays replayable from the 48 h stream for a day and a half.
    maxRecordAgeSeconds: 6 * 3600,
    bisect: true,
  },
];

/**
 * The presence fan-out queue's consumer (an SQS event source mapping). Lambda's SQS poller deletes
 * what succeeded and leaves the failed items to reappear after the queue's visibility timeout;
 * the queue's redrive policy (lib/stacks/stateful-stack.ts) moves them to its DLQ after 5 receives.
 */
export const presenceQueueConsumer = {
  fn: 'presenceFanOut',
  // 10: SQS's most per receive without a batching window, and a change reaches its sessions at once.
  batchSize: 10,
  // Latency is the point (a change should reach the suite within 250 ms): never wait to fill a batch.
  maxBatchingWindowSeconds: 0,
} as const satisfies { fn: FunctionName; batchSize: number; maxBatchingWindowSeconds: number };

/** Steady requests per second and burst of one route, enforced by the API stage (RouteSettings). */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Throttling per route: by who calls it, with the fleet-sized agent routes named. The regional
 * API Gateway quota (10 000 requests/s by default, shared by every API of the account) must stay
 * above the sum of the rates: raise it before raising these.
 */
export const routeThrottles: {
  readonly byAuth: Readonly<Record<RouteAuth, RouteThrottle>>;
  readonly byRoute: Readonly<Record<string, RouteThrottle>>;
} = {
  byAuth: {
    // Activations, deactivations: waves of new installs, never the whole fleet at once.
    agent: { rateLimit: 200, burstLimit: 400 },
    // People in the portal, support and back office: a few hundred at a time.
    user: { rateLimit: 100, burstLimit: 200 },
    // The same people, and the vendor's ERP depositing orders: a batch job, not a fleet.
    'staff-or-machine': { rateLimit: 100, burstLimit: 200 },
    // JWKS, OpenAPI, catalogue: cacheable documents; a client that hammers them is misbehaving.
    public: { rateLimit: 50, burstLimit: 100 },
  },
  byRoute: {
    // 1M installations polling every 900 s ≈ 1 100 requests/s per region (either region answers):
    // 2 500/s leaves headroom for a region taking the other's fleet or a post-outage catch-up.
    'GET /v1/installations/{id}/license': { rateLimit: 2500, burstLimit: 5000 },
    // 1M installations sending a batch every 5 minutes ≈ 3 300 requests/s at the stream's sizing;
    // a throttled batch is re-sent by the agent, so 4 000/s with a 2× burst rides out clumping.
    'POST /v1/installations/{id}/telemetry': { rateLimit: 4000, burstLimit: 8000 },
  },
};

/** The throttle of one route: its own, else that of its kind of caller. */
export function routeThrottle(route: RouteSpec): RouteThrottle {
  return routeThrottles.byRoute[`${route.method} ${route.path}`] ?? routeThrottles.byAuth[route.auth];
}
