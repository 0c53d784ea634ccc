/**
 * The stack set: for every region a stateful stack (table, signing key, telemetry stream and
 * archive), a stateless one (functions, API, stream consumers, user pool) and an operations one
 * (dashboards, alarms, on-call topic); and one edge stack in us-east-1 (the CloudFront web ACLs). `bin/app.ts` parses
 * the config and calls `buildApp`; tests call it with their own App, so nothing here reads
 * process.env or spawns the CLI.
 */
import type { App } from 'aws-cdk-lib';
import { z } from 'zod';
import {
  defaultTargetUtilisationPercent,
  initialSigningKeyId,
  regionKeys,
  signingKeyIds,
  type AppConfig,
  type RegionKey,
} from './config';
import { applyLandingZoneControls } from './landing-zone';
import { EdgeStack, edgeRegion } from './stacks/edge-stack';
import { OperationsStack } from './stacks/operations-stack';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

const regionConfigSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not an AWS region name'),
  endpoint: z.url({ protocol: /^https?$/ }),
});

// A CloudFront domain cannot be read across regions at synth time, so each portal's is given here.
const hostName = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a host name without scheme or path, e.g. d1234abcd.cloudfront.net',
  );

// An id is part of a KMS alias name and of a construct id.
const signingKeyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, at most 32');

const capacityBounds = z
  .object({ min: z.number().int().min(1).max(40_000), max: z.number().int().min(1).max(40_000) })
  .strict()
  .refine((b) => b.max >= b.min, { message: 'max must be at least min', path: ['max'] });
// Provisioned suits the telemetry path's steady, timer-driven load; on-demand a small or bursty one.
const tableCapacity = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('on-demand') }).strict(),
    z
      .object({
        mode: z.literal('provisioned'),
        // DynamoDB's target tracking takes 20 to 90
        targetUtilisationPercent: z.number().int().min(20).max(90).default(defaultTargetUtilisationPercent),
        read: capacityBounds,
        write: capacityBounds,
      })
      .strict(),
  ])
  .default({ mode: 'on-demand' });

/** The `ucx` context key of cdk.json. */
export const appConfigContextSchema = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'lower-case letters, digits and dashes, at most 16'),
  account: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit AWS account id')
    .optional(),
  primary: z.enum(regionKeys as [RegionKey, ...RegionKey[]]),
  regions: z.object({ eu: regionConfigSchema, us: regionConfigSchema }).strict(),
  nextPollSeconds: z.number().int().positive(),
  licenseTtlDays: z.number().int().positive(),
  licensing: z
    .object({
      // 0 takes an uncovered allocation back at once; a year is far beyond any renewal delay.
      shortfallGraceDays: z.number().int().min(0).max(365).default(30),
      // Days without a licence poll before an installation is shown as stale (docs/licensing.md).
      staleAfterDays: z.number().int().min(1).max(3650).default(30),
    })
    .strict()
    .default({ shortfallGraceDays: 30, staleAfterDays: 30 }),
  logRetentionDays: z.number().int().positive(),
  /** provisioned shards of each region's telemetry stream */
  telemetryShards: z.number().int().min(1).max(500).default(2),
  /** each table's DynamoDB capacity (docs/configuration.md "DynamoDB capacity") */
  tableCapacity: z
    .object({ licensing: tableCapacity, support: tableCapacity })
    .strict()
    .default({ licensing: { mode: 'on-demand' }, support: { mode: 'on-demand' } }),
  archive: z
    .object({
      // S3 refuses a Standard-IA transition before day 30; none: straight to Glacier IR
      infrequentAccessDays: z.number().int().min(30).optional(),
      glacierDays: z.number().int().positive(),
      expireDays: z.number().int().positive(),
      // the compaction works a day inside it (compact-archive.ts), so at least 2
      rawDays: z.number().int().min(2).default(7),
    })
    .strict()
    // S3 refuses a second transition less than 30 days after a Standard-IA one.
    .refine((a) => a.infrequentAccessDays === undefined || a.glacierDays >= a.infrequentAccessDays + 30, {
      message: 'glacierDays must be at least infrequentAccessDays + 30',
      path: ['glacierDays'],
    })
    .refine((a) => a.expireDays > a.glacierDays, {
      message: 'expireDays must be after glacierDays',
      path: ['expireDays'],
    })
    .default({ glacierDays: 30, expireDays: 395, rawDays: 7 }),
  /** each region's portal host name, for the other region's "switch region" links */
  portal: z
    .object({ domains: z.object({ eu: hostName.optional(), us: hostName.optional() }).strict() })
    .strict()
    .default({ domains: {} }),
  /** the licence-signing keys by slot; one rotation step is one change here (docs/deploying.md) */
  signingKeys: z
    .object({
      current: signingKeyId,
      next: signingKeyId.optional(),
      retiring: z.array(signingKeyId).default([]),
    })
    .strict()
    .refine((keys) => new Set(signingKeyIds(keys)).size === signingKeyIds(keys).length, {
      message: 'a key id may hold one slot only',
    })
    .default({ current: initialSigningKeyId, retiring: [] }),
  /** Microsoft's endpoints for the Presence Service (docs/deploying.md) */
  presence: z
    .object({
      authorityHost: z.url({ protocol: /^https$/ }).default('https://login.microsoftonline.com'),
      graphUrl: z.url({ protocol: /^https$/ }).default('https://graph.microsoft.com'),
    })
    .strict()
    .default({ authorityHost: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com' }),
  /** the SES sending identity (a domain or an address) and From address (lib/constructs/mail.ts) */
  mail: z
    .object({ identity: z.string().min(3).max(253), fromAddress: z.email().optional() })
    .strict()
    .default({ identity: 'ucx-cloud.example' }),
  /**
   * the prefix of each region's Cognito domain (`<prefix>-<region key>.auth.<region>.amazoncognito.com`),
   * where machine clients get tokens; globally unique per region (docs/back-office.md)
   * @default `ucx-<stage>`
   */
  authDomainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,50}[a-z0-9])?$/)
    .refine((s) => !s.includes('cognito') && !s.includes('aws'), 'may not contain cognito or aws')
    .optional(),
});

/**
 * Validates the `ucx` context into an AppConfig; `fallbackAccount` (the CLI's default account)
 * applies only when the context names none. Throws naming every bad field.
 */
export function parseAppConfig(context: unknown, fallbackAccount?: string): AppConfig {
  const parsed = appConfigContextSchema.safeParse(context);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `ucx.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid cdk.json context: ${detail}`);
  }
  const { regions, account, portal, ...rest } = parsed.data;
  return {
    ...rest,
    portalDomains: portal.domains,
    account: account ?? fallbackAccount,
    regions: { eu: { key: 'eu', ...regions.eu }, us: { key: 'us', ...regions.us } },
  };
}

/** Id of one stack of the set, e.g. `ucx-prod-eu-stateful`: also its CloudFormation stack name. */
export function stackId(
  config: AppConfig,
  regionKey: RegionKey,
  kind: 'stateful' | 'stateless' | 'operations',
): string {
  return `ucx-${config.stage}-${regionKey}-${kind}`;
}

/** Id of the one us-east-1 stack, e.g. `ucx-prod-edge`: the web ACLs CloudFront takes from there only. */
export function edgeStackId(config: AppConfig): string {
  return `ucx-${config.stage}-edge`;
}

export interface RegionStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly operations: OperationsStack;
  /** the one edge stack (us-east-1), the same for both regions */
  readonly edge: EdgeStack;
}

/** Adds the whole stack set to `app` and returns it per region key. */
export function buildApp(app: App, config: AppConfig): Record<RegionKey, RegionStacks> {
  const edge = new EdgeStack(app, edgeStackId(config), {
    env: { account: config.account, region: edgeRegion },
    config,
    description: `UCX cloud ${config.stage}: the AWS WAF web ACLs of both regions' CloudFront distributions (us-east-1)`,
  });
  const build = (regionKey: RegionKey, primaryStack?: StatefulStack): RegionStacks => {
    const env = { account: config.account, region: config.regions[regionKey].region };
    const stateful = new StatefulStack(app, stackId(config, regionKey, 'stateful'), {
      env,
      config,
      regionKey,
      description: `UCX cloud ${config.stage} ${regionKey}: licensing table, signing key, telemetry stream and archive, support table and bus`,
    });
    // The replica region reads a table that only exists once the primary region has created it.
    if (primaryStack)
      stateful.addStackDependency(primaryStack, 'the global table replica is created by the primary region');
    const stateless = new StatelessStack(app, stackId(config, regionKey, 'stateless'), {
      env,
      config,
      regionKey,
      stateful,
      webAclArn: edge.firewalls[regionKey].webAcl.attrArn,
      description: `UCX cloud ${config.stage} ${regionKey}: functions, HTTP API, stream consumers, schedules and user pool`,
    });
    const operations = new OperationsStack(app, stackId(config, regionKey, 'operations'), {
      env,
      config,
      regionKey,
      stateful,
      stateless,
      description: `UCX cloud ${config.stage} ${regionKey}: dashboards, alarms and the on-call topic`,
    });
    return { stateful, stateless, operations, edge };
  };

  const primary = build(config.primary);
  const others = regionKeys.filter((k) => k !== config.primary);
  const stacks = { [config.primary]: primary } as Partial<Record<RegionKey, RegionStacks>>;
  for (const key of others) stacks[key] = build(key, primary.stateful);
  // Control Tower's proactive controls (lib/landing-zone.ts), once everything is built.
  for (const stack of new Set(Object.values(stacks).flatMap((s) => [s.stateful, s.stateless, s.operations, s.edge])))
    applyLandingZoneControls(stack);
  return stacks as Record<RegionKey, RegionStacks>;
}
