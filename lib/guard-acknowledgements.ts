/**
 * The AWS Control Tower proactive controls (cfn-guard rules of @cdklabs/cdk-validator-cfnguard)
 * this service does not meet, each with its reason, in this one place. Everything else the
 * controls ask is met (lib/landing-zone.ts and the stacks); test/infra/control-tower.test.ts runs
 * the controls over every template and fails on a violation not listed here, and on an entry
 * that no longer matches anything. `falsePositive`: the rule misreads a compliant template.
 * `open`: a real gap, not yet fixed (docs/security.md#landing-zone-controls).
 */

export interface GuardAcknowledgement {
  /** the Control Tower control, e.g. `CT.CLOUDWATCH.PR.2` */
  readonly control: string;
  /** the cfn-guard rule that reports it */
  readonly rule: string;
  /** construct paths it covers, without the stack name (`Activate/LogGroup/Resource`) */
  readonly paths: RegExp;
  readonly reason: string;
  /** the rule cannot evaluate what the template says (e.g. an `Fn::Join`), the resource complies */
  readonly falsePositive?: true;
  /** a real gap, to be closed */
  readonly open?: true;
}

const deadLetterQueues = /^(ArchiveTelemetry\/OnFailureQueue|EvaluateRules\/OnFailureQueue|[A-Za-z]*DeadLetterQueue)\//;
const accessLogBucket = /^AccessLogBucket\/Resource$/;
const customDomain =
  'needs a custom domain and its ACM certificate in us-east-1, which the stacks do not create (docs/deploying.md#what-is-not-automated); the default *.cloudfront.net certificate is fixed by CloudFront';

export const guardAcknowledgements: readonly GuardAcknowledgement[] = [
  {
    control: 'CT.CLOUDWATCH.PR.2',
    rule: 'cloudwatch_log_group_retention_period_check',
    paths: /(^|\/)(LogGroup|ApiAccessLogs|PresenceAccessLogs|DeployLogs)\/Resource$/,
    reason:
      'log retention is `ucx.logRetentionDays` (30 days in cdk.json) on purpose: the logs carry installation ids and IP addresses, kept no longer than operations need (docs/retention.md); a year is one config change',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    paths:
      /(^|\/)(Function\/Resource|Custom::CDKBucketDeployment[A-Za-z0-9]*\/Resource|Custom::CrossRegionExport(Reader|Writer)CustomResourceProvider\/Handler)$/,
    reason:
      'every dependency is a public AWS endpoint (DynamoDB, Kinesis, S3, KMS, SES, Cognito, Graph on the internet): a VPC would add NAT gateways or a dozen interface endpoints per region and protect nothing',
  },
  {
    control: 'CT.LAMBDA.PR.2',
    rule: 'lambda_function_public_access_prohibited_check',
    paths:
      /(-Permission|ApiPermission\.ApiScoped\.[A-Za-z0-9.]+|InvokeN0--a2GKfZP|AllowInvoke[A-Za-z0-9]*|\/Permission|PermissionFor[A-Za-z0-9]*)$/,
    falsePositive: true,
    reason:
      "each permission names a service principal (API Gateway, Scheduler, Cognito) and a SourceArn, but the SourceArn is an Fn::Join of the API's or pool's ARN, which the rule cannot read as a condition",
  },
  {
    control: 'CT.APIGATEWAY.PR.5',
    rule: 'api_gw_v2_authorization_type_configured_check',
    paths: /^(Route[A-Za-z0-9]+|PresenceApi\/\$[a-z]+-Route)\/Resource$/,
    reason:
      "the agent routes (and the Presence WebSocket's $connect) are authenticated in the handler by the installation key's RFC 9421 signature, which API Gateway cannot verify; the rest are public documents (JWKS, OpenAPI, catalogue) and Microsoft's callbacks, each verified in its handler (docs/security.md)",
  },
  {
    control: 'CT.CLOUDFRONT.PR.4',
    rule: 'cloudfront_origin_failover_enabled_check',
    paths: /^Portal\/Distribution\/Resource$/,
    reason:
      "each region's distribution serves that region's bucket and API only: a failover origin in the other region would move data residency, and the other region has its own portal",
  },
  {
    control: 'CT.CLOUDFRONT.PR.5',
    rule: 'cloudfront_access_logs_enabled_check',
    paths: /^Portal\/Distribution\/Resource$/,
    open: true,
    reason:
      'standard logs need a log bucket with ACLs enabled (object writer) per region; the API access log and the WAF metrics cover the API behind it meanwhile',
  },
  {
    control: 'CT.CLOUDFRONT.PR.6',
    rule: 'cloudfront_custom_ssl_certificate_check',
    paths: /^Portal\/Distribution\/Resource$/,
    reason: customDomain,
  },
  {
    control: 'CT.CLOUDFRONT.PR.7',
    rule: 'cloudfront_sni_enabled_check',
    paths: /^Portal\/Distribution\/Resource$/,
    reason: customDomain,
  },
  {
    control: 'CT.CLOUDFRONT.PR.9',
    rule: 'cloudfront_security_policy_check',
    paths: /^Portal\/Distribution\/Resource$/,
    reason: `TLS 1.2 as the minimum ${customDomain}`,
  },
  {
    control: 'CT.SQS.PR.1',
    rule: 'sqs_dlq_check',
    paths: deadLetterQueues,
    reason:
      'these queues are themselves the dead-letter and on-failure destinations (stream consumers, schedules, the Presence fan-out): a dead-letter queue of a dead-letter queue only moves the alarm (docs/operations.md)',
  },
  {
    control: 'CT.DYNAMODB.PR.1',
    rule: 'dynamodb_table_pitr_enabled_check',
    paths: /^PresenceTable\/Resource$/,
    reason:
      'no PITR on purpose: ephemeral personal presence data must not linger 35 days in backups; everything in it is rebuilt from Graph (docs/presence.md)',
  },
  {
    control: 'CT.S3.PR.9',
    rule: 's3_bucket_object_lock_enabled_check',
    paths: /^(TelemetryArchiveBucket|AthenaResultsBucket|AccessLogBucket|Portal\/Bucket)\/Resource$/,
    reason:
      'Object Lock would forbid what retention requires: lifecycle expiry and the erasure of a closed account (docs/retention.md); the portal bucket is rebuilt by every deployment; access logs expire after 90 days',
  },
  {
    control: 'CT.S3.PR.4',
    rule: 's3_event_notifications_enabled_check',
    paths: /^(TelemetryArchiveBucket|AthenaResultsBucket|AccessLogBucket|Portal\/Bucket)\/Resource$/,
    reason:
      'nothing consumes object events: the archive is read through Glue and Athena, results by the query that wrote them, the portal by CloudFront, access logs by whoever investigates',
  },
  {
    control: 'CT.S3.PR.2',
    rule: 's3_bucket_logging_enabled_check',
    paths: /^Portal\/Bucket\/Resource$/,
    open: true,
    reason:
      "server access logs need a log bucket in the portal's stack too; CloudFront serves it through origin access control only, and the deployment writes it",
  },
  {
    control: 'CT.S3.PR.2',
    rule: 's3_bucket_logging_enabled_check',
    paths: accessLogBucket,
    reason:
      'the access-log bucket of the state buckets: logging it into itself would loop, and a second log bucket only moves the question',
  },
  {
    control: 'CT.S3.PR.10',
    rule: 's3_bucket_default_encryption_kms_check',
    paths: /^Portal\/Bucket\/Resource$/,
    reason:
      "public static files (the portal's build): CloudFront's origin access control cannot decrypt objects under the AWS managed aws/s3 key, and a customer key would protect nothing",
  },
  {
    control: 'CT.S3.PR.10',
    rule: 's3_bucket_default_encryption_kms_check',
    paths: accessLogBucket,
    reason: 'S3 server access log delivery writes only to SSE-S3 buckets (an SSE-KMS destination receives nothing)',
  },
  {
    control: 'CT.S3.PR.11',
    rule: 's3_bucket_versioning_enabled_check',
    paths: accessLogBucket,
    reason:
      'access logs are written once by S3 and only expire: no overwrite to undo, and versions would only keep them past their 90 days',
  },
];
