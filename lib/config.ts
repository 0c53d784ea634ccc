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
  /** days CloudWatch keeps Lambda logs */
  readonly logRetentionDays: number;
}
