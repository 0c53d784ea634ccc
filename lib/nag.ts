/**
 * cdk-nag's AwsSolutions checks over the stack set, and the house's acknowledgements of the
 * wildcard IAM resources it cannot avoid. Every other acknowledgement sits beside its resource
 * (`Validations.of(x).acknowledge`), each with its reason. Wildcard *resources* are judged here,
 * finding by finding, because their finding ids name cross-stack exports that exist only once the
 * app is synthesized; a wildcard *action* is never acknowledged.
 */
import {
  type CfnResource,
  Stack,
  Validations,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/**
 * The reason a wildcard resource finding is acceptable, or undefined when it is not. Decided on
 * the finding and the actions of the policy that has it.
 */
export function wildcardResourceReason(finding: string, statements: readonly Statement[]): string | undefined {
  if (!finding.startsWith('Resource::')) return undefined;
  const allowed = statements.filter((s) => s.Effect === 'Allow');
  const actionsOn = (pred: (r: string) => boolean) =>
    allowed
      .filter((s) => list(s.Resource as string | string[]).some((r) => typeof r === 'string' && pred(r)))
      .flatMap((s) => list(s.Action));
  const resource = finding.slice('Resource::'.length);
  if (resource === '*') {
    const actions = actionsOn((r) => r === '*');
    if (actions.length > 0 && actions.every((a) => a === 'xray:PutTraceSegments' || a === 'xray:PutTelemetryRecords')) {
      return 'X-Ray tracing: PutTraceSegments and PutTelemetryRecords support no resource-level permissions';
    }
    return undefined;
  }
  if (resource.endsWith('/index/*'))
    return "the table's own secondary indexes (Query on gsi1/gsi2), granted with the table by grantReadData/grantReadWriteData";
  if (/\/beats\/\*$/.test(resource))
    return 'the archiver writes objects under the beats/ prefix of its own bucket only; object keys are generated per batch';
  // The archive compaction (lib/constructs/archive-compaction.ts): Athena reads and writes S3 and Glue as its caller.
  const compactionActions = (bucket: string, suffix: string) =>
    allowed
      .filter((s) => JSON.stringify(s.Resource).includes(bucket) && JSON.stringify(s.Resource).includes(`"${suffix}"`))
      .flatMap((s) => list(s.Action));
  if (/TelemetryArchiveBucket\w*\/(parquet-runs|parquet)\/\*$/.test(resource))
    return 'the archive compaction writes Parquet runs and their manifests under these two prefixes of the archive bucket only; run folders are named per run';
  if (/TelemetryArchiveBucket\w*\/\*$/.test(resource))
    return compactionActions('TelemetryArchiveBucket', '/*').every((a) => a === 's3:GetObject')
      ? 'the archive compaction reads the archive (raw and Parquet) through Athena, which reads as its caller: GetObject only'
      : undefined;
  if (/AthenaResultsBucket\w*\/\*$/.test(resource))
    return compactionActions('AthenaResultsBucket', '/*').every((a) =>
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'].includes(a),
    )
      ? "Athena writes and reads query results as its caller, under keys named by query id, in the workgroup's results bucket"
      : undefined;
  if (/:glue:[^:]+:\d+:table\/[a-z0-9_]+\/\*$/.test(resource)) {
    const actions = actionsOn((r) => r === resource);
    return actions.every((a) => a.startsWith('glue:Get'))
      ? "the telemetry database's tables and views, read by Athena as its caller (Get* only): one database"
      : undefined;
  }
  if (/:key\/\*$/.test(resource)) {
    // Every statement on the region's keys, GetPublicKey (the JWKS) or Sign (the signed JWKS) alike.
    const onKeys = allowed.filter((s) => JSON.stringify(s.Resource).includes(':key/*'));
    const narrowed =
      onKeys.length > 0 &&
      onKeys.every(
        (s) =>
          list(s.Action).every((a) => a === 'kms:GetPublicKey' || a === 'kms:Sign') &&
          s.Condition?.['ForAnyValue:StringEquals']?.['kms:ResourceAliases'] !== undefined,
      );
    return narrowed
      ? 'GetPublicKey (and Sign, for the signed JWKS) only, on keys carrying a licence-signing alias (kms:ResourceAliases condition): IAM cannot name a key by alias ARN'
      : undefined;
  }
  if (/^arn:[^:]+:s3:::cdk-[a-z0-9]+-assets-\d{12}-[a-z0-9-]+\/\*$/.test(resource)) {
    const actions = actionsOn((r) => r === resource);
    return actions.every((a) => a === 's3:GetObject')
      ? "GetObject only, in the CDK bootstrap's asset bucket: the portal upload reads its staged build, whose key is a content hash"
      : undefined;
  }
  if (/^<Portal[A-Za-z0-9]*Bucket[A-Za-z0-9]*\.Arn>\/\*$/.test(resource)) {
    const actions = actionsOn((r) => r === resource);
    return actions.every((a) => a === 's3:GetObject' || a === 's3:PutObject' || a === 's3:DeleteObject')
      ? "the portal upload replaces the site's files: object read, write and delete in the portal bucket only"
      : undefined;
  }
  if (/:execute-api:[^:]+:[^:]+:<[A-Za-z0-9]+>\/[A-Za-z0-9_-]+\/\*\/@connections\/\*$/.test(resource)) {
    const actions = actionsOn((r) => r === resource);
    return actions.every((a) => a === 'execute-api:ManageConnections')
      ? 'ManageConnections on one WebSocket API stage: connection ids are made by API Gateway at each connect'
      : undefined;
  }
  if (/\.Arn>:\*$/.test(resource)) {
    const actions = actionsOn((r) => r.endsWith(':*'));
    return actions.every((a) => a === 'lambda:InvokeFunction')
      ? 'the scheduler invokes one function, any of its versions (`<arn>:*`)'
      : undefined;
  }
  return undefined;
}

/**
 * A validation plugin that runs before the checks and acknowledges, on each IAM policy, the
 * wildcard resource findings `wildcardResourceReason` accepts: exactly those finding ids.
 */
export class HouseWildcardAcknowledgements implements IPolicyValidationPlugin {
  public readonly name = 'ucx-house-acknowledgements';
  constructor(private readonly root: IConstruct) {}

  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    for (const node of this.root.node.findAll()) {
      if (!(node instanceof CfnPolicy)) continue;
      const findings = rules.iam.IAMNoWildcardPermissions(node as CfnResource);
      if (!Array.isArray(findings)) continue;
      const document = Stack.of(node).resolve(node.policyDocument) as { Statement?: Statement[] };
      for (const finding of findings) {
        const reason = wildcardResourceReason(finding, document.Statement ?? []);
        if (reason) Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      }
    }
    return { success: true, violations: [] };
  }
}

/** Adds the house acknowledgements and cdk-nag's AwsSolutions checks to the app, in that order. */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new HouseWildcardAcknowledgements(app), new AwsSolutionsChecks(app));
}
