/** SDK clients for the local emulators: dummy credentials, kinesalite over HTTP/1.1, s3rver path-style. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export const localDynamoDb = (endpoint: string, region = 'eu-central-1') =>
  new DynamoDBClient({ endpoint, region, credentials: localCredentials });

/** kinesalite speaks HTTP/1.1 only; the Kinesis client would otherwise pick HTTP/2. */
export const localKinesis = (endpoint: string, region = 'eu-central-1') =>
  new KinesisClient({ endpoint, region, credentials: localCredentials, requestHandler: new NodeHttpHandler() });

export const localS3 = (endpoint: string, region = 'eu-central-1') =>
  new S3Client({ endpoint, region, credentials: localCredentials, forcePathStyle: true });
