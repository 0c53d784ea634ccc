/** Typed per-region configuration of the stack set, read from cdk.json context by bin/app.ts. */
export type RegionKey = 'eu' | 'us';
export const regionKeys: readonly RegionKey[] = ['eu', 'us'];

export interface RegionConfig {
  readonly key: RegionKey;
  /** AWS region, e.g. eu-central-1 */
  readonly region: string;
  /** public base URL of this region's API (custom domain), used for 421 redirects */
  readonly endpoint: string;
}

export interface AppConfig {
  /** deployment stage, part of every shared name (global table, KMS alias) */
  readonly stage: string;
  /** AWS account id; undefined synthesizes environment-agnostic account references */
  readonly account?: string;
  /** region that holds the global table's primary replica */
  readonly primary: RegionKey;
  readonly regions: Record<RegionKey, RegionConfig>;
  /** seconds an agent waits between licence polls */
  readonly nextPollSeconds: number;
  /** days a signed licence stays valid offline (the agent's grace period) */
  readonly licenseTtlDays: number;
  /** licensing terms the cloud applies (`ucx.licensing`) */
  readonly licensing: LicensingConfig;
  /** days CloudWatch keeps Lambda logs */
  readonly logRetentionDays: number;
  /**
   * shards of each region's telemetry stream (provisioned mode). One shard takes 1000 records/s
   * or 1 MB/s of writes: size it as max(beats per second / 1000, MB per second), plus headroom.
   * @default 2 (10 000 installations at 10 beats per 5 minutes make ~330 beats/s)
   */
  readonly telemetryShards: number;
  /**
   * DynamoDB capacity of the licensing table (global) and of each region's support table
   * (docs/configuration.md "DynamoDB capacity")
   * @default on-demand for both
   */
  readonly tableCapacity: Readonly<Record<CapacityTable, TableCapacity>>;
  /** storage-class lifecycle of the telemetry archive */
  readonly archive: ArchiveLifecycleConfig;
  /**
   * each region's portal host name (its custom domain, or its CloudFront domain once deployed):
   * the other region's portal links to it. A region left out gets no link, only words.
   */
  readonly portalDomains: Partial<Record<RegionKey, string>>;
  /** the licence-signing keys by slot, the same ids in every region (each region has its own key per id) */
  readonly signingKeys: SigningKeySet;
  /** where the Presence Service reaches Microsoft (`ucx.presence`) */
  readonly presence: PresenceConfig;
  /**
   * outgoing e-mail, e.g. terms notices (`ucx.mail`, lib/constructs/mail.ts)
   * @default defaultMailConfig
   */
  readonly mail?: MailConfig;
  /**
   * prefix of each region's Cognito domain (`<prefix>-<region key>`), where machine clients get tokens
   * @default `ucx-<stage>`
   */
  readonly authDomainPrefix?: string;
}

/** The utilisation a provisioned table's autoscaling keeps unless told (the cost model holds capacity at it too). */
export const defaultTargetUtilisationPercent = 70;

/** The tables whose capacity `ucx.tableCapacity` sets. */
export type CapacityTable = 'licensing' | 'support';

/**
 * On-demand, or provisioned with target-tracking autoscaling between `min` and `max` units (a
 * table's indexes and replicas scale the same way).
 */
export type TableCapacity =
  | { readonly mode: 'on-demand' }
  | {
      readonly mode: 'provisioned';
      /** the utilisation autoscaling keeps the capacity at */
      readonly targetUtilisationPercent: number;
      readonly read: CapacityBounds;
      readonly write: CapacityBounds;
    };

export interface CapacityBounds {
  readonly min: number;
  readonly max: number;
}

/** The SES sending identity: a domain, or one address; mail is sent from `fromAddress`. */
export interface MailConfig {
  readonly identity: string;
  /** @default `no-reply@<identity>` */
  readonly fromAddress?: string;
}

/** A placeholder domain: synth needs no real one; a deployment names its own (docs/deploying.md). */
export const defaultMailConfig: MailConfig = { identity: 'ucx-cloud.example' };

/** Microsoft's endpoints for the Presence Service; other clouds (e.g. US Government) have their own. */
export interface PresenceConfig {
  /**
   * the Microsoft identity platform's host (MS_AUTHORITY_HOST)
   * @default 'https://login.microsoftonline.com'
   */
  readonly authorityHost: string;
  /**
   * Microsoft Graph's base URL, without the version (MS_GRAPH_URL)
   * @default 'https://graph.microsoft.com'
   */
  readonly graphUrl: string;
}

/**
 * The licence-signing keys by slot (docs/deploying.md, "Rotating the signing key"). `current`
 * signs licences and the JWKS; `next` is published so agents learn it before it signs anything;
 * `retiring` keys no longer sign but stay published while licences they signed are still valid.
 * Ids name KMS keys and aliases, so an id is never reused.
 */
export interface SigningKeySet {
  readonly current: string;
  readonly next?: string;
  readonly retiring: readonly string[];
}

/** The key deployed before the key set existed: it keeps its logical id and alias. */
export const initialSigningKeyId = 'initial';

/** Every id of the set: current first, then next, then the retiring ones (the JWKS lists them so). */
export function signingKeyIds(keys: SigningKeySet): string[] {
  return [keys.current, ...(keys.next ? [keys.next] : []), ...keys.retiring];
}

/** The portal URLs config.json names, from `portalDomains`: `https://<domain>` per region that has one. */
export function portalUrls(config: Pick<AppConfig, 'portalDomains'>): Partial<Record<RegionKey, string>> {
  return Object.fromEntries(
    regionKeys.flatMap((key) => (config.portalDomains[key] ? [[key, `https://${config.portalDomains[key]}`]] : [])),
  );
}

/** How the cloud applies the licensing terms. */
export interface LicensingConfig {
  /**
   * days installations keep an allocation the entitlements no longer cover (a subscription ended,
   * a credit) before it is taken back, newest installations first
   * @default 30
   */
  readonly shortfallGraceDays: number;
  /**
   * days an active installation may go without a licence poll before it is shown as stale (STALE_AFTER_DAYS)
   * @default 30
   */
  readonly staleAfterDays?: number;
}

/** Days after upload at which an archive object changes storage class or expires. */
export interface ArchiveLifecycleConfig {
  /** to S3 Standard-IA (S3 needs at least 30); none: Standard until glacierDays */
  readonly infrequentAccessDays?: number;
  /** to S3 Glacier Instant Retrieval (at least 30 days after Standard-IA) */
  readonly glacierDays: number;
  /** deleted (after glacierDays) */
  readonly expireDays: number;
  /** raw landing objects (gzip NDJSON under `beats/`) deleted; by then each hour is in Parquet */
  readonly rawDays: number;
}

/**
 * Key prefix the archiver writes beats under (lambdas/core/telemetry/archive-row.ts,
 * archiveObjectKey): the Glue table's location and the archiver's only writable prefix.
 */
export const archiveBeatsPrefix = 'beats/';
