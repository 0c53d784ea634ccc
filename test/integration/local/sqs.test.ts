/**
 * The local SQS stand-in (local/sqs.ts) on a free port, reached by the AWS SDK as the functions
 * reach it, and its event source: push delivery in Lambda's SQS event, batch item failures retried,
 * then moved to the dead-letter queue.
 */
import {
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalEventSourceMapping, LocalQueue } from '#local/assembly';
import type { InvokeOutcome } from '#local/lambda-runtime';
import { localSqsNamespace, MetricStore } from '#local/metrics';
import { startLocalSqs, type LocalSqs } from '#local/sqs';

jest.setTimeout(20_000);

const account = '000000000000';
const arn = (name: string) => `arn:aws:sqs:eu-central-1:${account}:${name}`;
const queue = (name: string, extra: Partial<LocalQueue> = {}): LocalQueue => ({
  regionKey: 'eu',
  stackName: 'ucx-local-eu-stateful',
  logicalId: name,
  name,
  arn: arn(name),
  visibilityTimeoutSeconds: 180,
  messageRetentionSeconds: 3600,
  delaySeconds: 0,
  ...extra,
});
const mapping = (queueName: string): LocalEventSourceMapping => ({
  regionKey: 'eu',
  stackName: 'ucx-local-eu-stateless',
  logicalId: 'FanOutMapping',
  functionKey: 'ucx-local-eu-stateless/FanOut',
  eventSourceArn: arn(queueName),
  enabled: true,
  startingPosition: 'LATEST',
  batchSize: 10,
  maximumBatchingWindowSeconds: 0,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: -1,
  maximumRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
  invokeIdentityArn: `arn:aws:iam::${account}:role/fan-out`,
});

interface SqsRecord {
  messageId: string;
  body: string;
  receiptHandle: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string };
  messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
  md5OfBody: string;
}

const eventually = async (check: () => boolean, timeoutMs = 5000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 5));
  }
};

describe('the local SQS stand-in', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  const batches: { records: SqsRecord[]; at: number }[] = [];
  /** bodies the function fails, each time it sees them */
  const poison = new Set<string>(['poison']);
  const metrics = new MetricStore();

  beforeAll(async () => {
    sqs = await startLocalSqs({
      port: 0,
      account,
      queues: [
        queue('fan-out', { deadLetter: { arn: arn('fan-out-dlq'), maxReceiveCount: 5 } }),
        queue('fan-out-dlq', { messageRetentionSeconds: 86_400 }),
      ],
      retryDelayMs: 20,
      metrics,
    });
    sqs.consume([
      {
        mapping: mapping('fan-out'),
        target: {
          fn: { logicalId: 'FanOut', name: 'fan-out-fn' },
          invoke: async (event): Promise<InvokeOutcome> => {
            const records = (event as { Records: SqsRecord[] }).Records;
            batches.push({ records, at: Date.now() });
            const failed = records.filter((r) => poison.has(r.body)).map((r) => ({ itemIdentifier: r.messageId }));
            return { result: { batchItemFailures: failed } };
          },
        },
      },
    ]);
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });

  it('gives a queue URL by name, and refuses an unknown queue with QueueDoesNotExist', async () => {
    // Act
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'fan-out' }));
    const unknown = await client.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((e: unknown) => e);

    // Assert
    expect(QueueUrl).toBe(`${sqs.endpoint}/${account}/fan-out`);
    expect(unknown).toBeInstanceOf(QueueDoesNotExist);
  });

  it('records the oldest message age of each batch it hands over, as ApproximateAgeOfOldestMessage in s', async () => {
    // Arrange
    const before = batches.length;

    // Act
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl('fan-out'), MessageBody: '{"age":1}' }));
    await eventually(() => batches.length > before);

    // Assert
    const [series] = metrics.find('eu', localSqsNamespace, 'ApproximateAgeOfOldestMessage', { QueueName: 'fan-out' });
    expect(series!.points.reduce((n, p) => n + p.count, 0)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...series!.points.map((p) => p.max))).toBeLessThan(1);
  });

  it("pushes a sent message to the mapping's function at once, as Lambda's SQS event", async () => {
    // Arrange
    const before = batches.length;
    const sentAt = Date.now();

    // Act: the SDK checks the MD5 of the body it gets back
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl('fan-out'),
        MessageBody: '{"user":"a@contoso.example"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'presence' } },
      }),
    );
    await eventually(() => batches.length > before);

    // Assert
    const { records, at } = batches[before]!;
    expect(at - sentAt).toBeLessThan(250);
    expect(records).toEqual([
      expect.objectContaining({
        messageId: sent.MessageId,
        body: '{"user":"a@contoso.example"}',
        receiptHandle: expect.any(String),
        attributes: expect.objectContaining({ ApproximateReceiveCount: '1', SentTimestamp: expect.any(String) }),
        messageAttributes: { kind: expect.objectContaining({ stringValue: 'presence', dataType: 'String' }) },
        eventSource: 'aws:sqs',
        eventSourceARN: arn('fan-out'),
        awsRegion: 'eu-central-1',
      }),
    ]);
  });

  it('sends a batch, delivered in batches of at most BatchSize', async () => {
    // Arrange
    const before = batches.flatMap((b) => b.records).length;

    // Act
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queueUrl('fan-out'),
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `batch-${i}` })),
      }),
    );
    await eventually(() => batches.flatMap((b) => b.records).length >= before + 10);

    // Assert
    expect(result.Successful).toHaveLength(10);
    expect(result.Failed ?? []).toEqual([]);
    expect(Math.max(...batches.map((b) => b.records.length))).toBeLessThanOrEqual(10);
  });

  it('retries a failed item, alone, then moves it to the dead-letter queue after 5 receives', async () => {
    // Act
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: sqs.queueUrl('fan-out'), MessageBody: 'poison' }),
    );
    await eventually(() => (sqs.waiting('eu')['fan-out-dlq'] ?? []).length === 1);

    // Assert
    const receives = batches
      .flatMap((b) => b.records)
      .filter((r) => r.messageId === sent.MessageId)
      .map((r) => r.attributes.ApproximateReceiveCount);
    expect(receives).toEqual(['1', '2', '3', '4', '5']);
    expect(sqs.waiting('eu')['fan-out-dlq']).toEqual([
      expect.objectContaining({ messageId: sent.MessageId, body: 'poison' }),
    ]);
    expect(sqs.status('eu').find((q) => q.name === 'fan-out')).toMatchObject({ visible: 0, inFlight: 0 });
  });
});
