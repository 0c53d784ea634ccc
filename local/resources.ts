/**
 * Creates the stateful resources of the templates in the emulators: DynamoDB tables (a global
 * table's explicit name makes it one table for both local regions), Kinesis streams, S3 buckets.
 * Existing ones are kept, so data survives a restart.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, ResourceInUseException as StreamInUse } from '@aws-sdk/client-kinesis';
import { BucketAlreadyOwnedByYou, CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Assembly } from './assembly';
import { localDynamoDb, localKinesis, localS3 } from './clients';

export interface Endpoints {
  readonly dynamodb: string;
  readonly kinesis: string;
  readonly s3: string;
  /** the PutEvents stand-in (local/eventbridge.ts) */
  readonly eventbridge: string;
  /** the SQS stand-in (local/sqs.ts) */
  readonly sqs: string;
  /** the Athena stand-in (local/athena.ts); only the functions use it */
  readonly athena?: string;
}

export async function createResources(
  assembly: Assembly,
  endpoints: Endpoints,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const dynamodb = localDynamoDb(endpoints.dynamodb);
  const kinesis = localKinesis(endpoints.kinesis);
  const s3 = localS3(endpoints.s3);
  const done = new Set<string>();
  try {
    for (const stack of assembly.stacks) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        const name = assembly.resources[stack.regionKey][logicalId];
        if (name === undefined || done.has(`${resource.Type}:${name}`)) continue;
        done.add(`${resource.Type}:${name}`);
        const props = resource.Properties ?? {};
        if (resource.Type === 'AWS::DynamoDB::GlobalTable' || resource.Type === 'AWS::DynamoDB::Table') {
          const created = await createTable(dynamodb, tableInput(name, props));
          const ttl = props['TimeToLiveSpecification'] as { Enabled?: boolean; AttributeName?: string } | undefined;
          if (created && ttl?.Enabled && ttl.AttributeName) {
            await dynamodb.send(
              new UpdateTimeToLiveCommand({
                TableName: name,
                TimeToLiveSpecification: { Enabled: true, AttributeName: ttl.AttributeName },
              }),
            );
          }
          log(`table ${name} ${created ? 'created' : 'kept'}`);
        } else if (resource.Type === 'AWS::Kinesis::Stream') {
          const shardCount = Number(props['ShardCount'] ?? 1);
          try {
            await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
            log(`stream ${name} created`);
          } catch (error) {
            if (!(error instanceof StreamInUse)) throw error;
          }
        } else if (resource.Type === 'AWS::S3::Bucket') {
          try {
            await s3.send(new CreateBucketCommand({ Bucket: name }));
            log(`bucket ${name} created`);
          } catch (error) {
            if (
              !(error instanceof BucketAlreadyOwnedByYou) &&
              (error as { name?: string }).name !== 'BucketAlreadyExists'
            )
              throw error;
          }
        }
      }
    }
  } finally {
    dynamodb.destroy();
    kinesis.destroy();
    s3.destroy();
  }
}

/** CreateTable input from a GlobalTable or Table's properties; always on-demand locally. */
export function tableInput(tableName: string, props: Record<string, unknown>): CreateTableCommandInput {
  const gsis = (props['GlobalSecondaryIndexes'] as (GlobalSecondaryIndex & Record<string, unknown>)[] | undefined)?.map(
    (gsi) => ({
      IndexName: gsi.IndexName,
      KeySchema: gsi.KeySchema,
      Projection: gsi.Projection,
    }),
  );
  const lsis = (props['LocalSecondaryIndexes'] as LocalSecondaryIndex[] | undefined)?.map((lsi) => ({
    IndexName: lsi.IndexName,
    KeySchema: lsi.KeySchema,
    Projection: lsi.Projection,
  }));
  const stream = props['StreamSpecification'] as { StreamViewType?: string } | undefined;
  return {
    TableName: tableName,
    AttributeDefinitions: props['AttributeDefinitions'] as AttributeDefinition[],
    KeySchema: props['KeySchema'] as KeySchemaElement[],
    BillingMode: 'PAY_PER_REQUEST',
    ...(gsis && gsis.length > 0 && { GlobalSecondaryIndexes: gsis }),
    ...(lsis && lsis.length > 0 && { LocalSecondaryIndexes: lsis }),
    ...(stream?.StreamViewType && {
      StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as never },
    }),
  };
}

async function createTable(client: ReturnType<typeof localDynamoDb>, input: CreateTableCommandInput): Promise<boolean> {
  try {
    await client.send(new CreateTableCommand(input));
    return true;
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    // Kept from a previous start: warn when the template's indexes changed since.
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    const want = (input.GlobalSecondaryIndexes ?? [])
      .map((g) => g.IndexName)
      .sort()
      .join(',');
    const have = (Table?.GlobalSecondaryIndexes ?? [])
      .map((g) => g.IndexName)
      .sort()
      .join(',');
    if (want !== have) {
      process.emitWarning(
        `table ${input.TableName} has indexes [${have}] but the template wants [${want}]: restart with --fresh`,
      );
    }
    return false;
  }
}
