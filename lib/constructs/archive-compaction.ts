/**
 * What the archive compaction (lambdas/handlers/compact-archive.ts) may do: run queries in the
 * region's telemetry workgroup, read the archive's Glue tables, read the whole archive, write
 * Parquet runs and manifests (and delete the runs it replaces), and the workgroup's results.
 */
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { manifestsPrefix, parquetRunsPrefix } from '../../lambdas/core/telemetry/archive-tables';
import type { AppConfig } from '../config';
import type { StatefulStack } from '../stacks/stateful-stack';
import type { HouseFunction } from './house-function';

export function bindArchiveCompaction(fn: HouseFunction, stateful: StatefulStack, config: AppConfig): void {
  const stack = Stack.of(fn);
  const workGroupArn = stack.formatArn({
    service: 'athena',
    resource: 'workgroup',
    resourceName: stateful.athenaWorkGroupName,
  });
  const glue = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name });
  const archive = stateful.archiveBucket;
  const results = stateful.athenaResultsBucket;
  const role = fn.function;
  role.addToRolePolicy(
    new PolicyStatement({
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
      resources: [workGroupArn],
    }),
  );
  role.addToRolePolicy(
    new PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      resources: [
        glue('catalog'),
        glue('database', stateful.telemetryDatabaseName),
        glue('table', `${stateful.telemetryDatabaseName}/*`),
      ],
    }),
  );
  // Athena reads and writes S3 with the caller's credentials: the archive and the query results.
  role.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [archive.bucketArn, results.bucketArn],
    }),
  );
  role.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [archive.arnForObjects('*')] }));
  role.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [archive.arnForObjects(`${parquetRunsPrefix}*`), archive.arnForObjects(`${manifestsPrefix}*`)],
    }),
  );
  role.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      resources: [results.arnForObjects('*')],
    }),
  );
  // Both buckets are SSE-KMS under the archive key: Athena reads and writes with the caller's grants.
  role.addToRolePolicy(
    new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [stateful.archiveKey.keyArn] }),
  );
  role.addEnvironment('ARCHIVE_BUCKET', archive.bucketName);
  role.addEnvironment('TELEMETRY_DATABASE', stateful.telemetryDatabaseName);
  role.addEnvironment('ATHENA_WORKGROUP', stateful.athenaWorkGroupName);
  role.addEnvironment('ARCHIVE_RAW_DAYS', String(config.archive.rawDays));
}
