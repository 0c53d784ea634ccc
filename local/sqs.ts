/**
 * SQS stand-in: the templates' queues in memory behind one loopback endpoint speaking the AWS JSON
 * 1.0 protocol as SDK v3 does (`x-amz-target: AmazonSQS.SendMessage`, `SendMessageBatch`,
 * `GetQueueUrl`), and Lambda's SQS event source for every `AWS::Lambda::EventSourceMapping` on a
 * queue: messages are pushed to the function as they arrive (no polling delay), in batches of the
 * mapping's BatchSize, as Lambda's SQS event; the failed items of a `batchItemFailures` answer
 * (or the whole batch, on an error) come back after the visibility timeout, scaled down locally,
 * and a message received `maxReceiveCount` times moves to the queue's dead-letter queue. Each batch
 * handed over records its oldest message's age, as CloudWatch's ApproximateAgeOfOldestMessage.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalEventSourceMapping, LocalQueue, RegionKey } from './assembly';
import type { InvokeOutcome } from './lambda-runtime';
import { localSqsNamespace, type MetricStore } from './metrics';

/** What a mapping invokes: a function's sandbox (or a test's stand-in for one). */
export interface QueueTarget {
  readonly fn: { readonly logicalId: string; readonly name: string };
  invoke(event: unknown): Promise<InvokeOutcome>;
}

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  /** local clock, epoch ms */
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
  /** real time, epoch ms: hidden until then (a delay, or a failed delivery's visibility) */
  visibleAt: number;
  /** handed to the function and not answered yet: never delivered twice at once */
  inFlight?: boolean;
}

interface Queue {
  readonly spec: LocalQueue;
  readonly messages: Message[];
  /** the mapping consuming it, once installed */
  consumer?: Consumer;
}

interface Consumer {
  readonly mapping: LocalEventSourceMapping;
  readonly target: QueueTarget;
  inFlight: number;
  invocations: number;
  lastError?: string;
  timer?: NodeJS.Timeout;
}

export interface SqsOptions {
  /** 0: a free port */
  readonly port: number;
  readonly account: string;
  readonly queues: readonly LocalQueue[];
  /** the local clock (retention, SentTimestamp). @default real time */
  readonly now?: () => Date;
  /**
   * how long a failed message stays invisible locally: min(the queue's VisibilityTimeout, this).
   * @default 1000
   */
  readonly retryDelayMs?: number;
  /** batches in flight per mapping at most (Lambda starts with 5 pollers). @default 5 */
  readonly maxConcurrency?: number;
  /** where each delivered batch's oldest message age goes (s, per QueueName) */
  readonly metrics?: MetricStore;
  readonly log?: (line: string) => void;
}

export interface QueueStatus {
  readonly name: string;
  readonly region: RegionKey;
  readonly url: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly consumer?: { readonly function: string; readonly invocations: number; readonly lastError?: string };
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: AWS_ENDPOINT_URL_SQS, and the origin of every local queue URL */
  readonly endpoint: string;
  /** `<endpoint>/<account>/<name>` */
  queueUrl(name: string): string;
  /** Starts delivering each mapping's queue to its target (mappings on other sources are ignored). */
  consume(mappings: readonly { readonly mapping: LocalEventSourceMapping; readonly target: QueueTarget }[]): void;
  status(region?: RegionKey): QueueStatus[];
  /** the messages waiting in each queue nobody consumes (dead-letter queues), per queue name */
  waiting(region?: RegionKey): Record<string, unknown[]>;
  stop(): Promise<void>;
}

/** `arn:aws:sqs:<region>:<account>:<name>` → the name. */
export const sqsQueueName = (arn: string): string | undefined => /^arn:[^:]+:sqs:[^:]*:[^:]*:([^:/]+)$/.exec(arn)?.[1];

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** MD5OfMessageAttributes as SQS computes it (the SDK checks it): names sorted, each length-prefixed. */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const lengthPrefixed = (value: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value.length);
    parts.push(length, value);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name]!;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

class SqsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly queryError: string,
    message: string,
  ) {
    super(message);
  }
}

const nonExistentQueue = () =>
  new SqsError(
    400,
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    'The specified queue does not exist.',
  );
const invalid = (message: string) => new SqsError(400, 'InvalidParameterValue', 'InvalidParameterValue', message);

/** SQS's largest message: 256 KiB (body and attributes). */
const maxMessageBytes = 256 * 1024;

export async function startLocalSqs(options: SqsOptions): Promise<LocalSqs> {
  const log = options.log ?? (() => undefined);
  const now = () => (options.now ?? (() => new Date()))().getTime();
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const maxConcurrency = options.maxConcurrency ?? 5;
  const queues = new Map<string, Queue>(options.queues.map((spec) => [spec.name, { spec, messages: [] }]));
  let stopped = false;
  let endpoint = '';

  const queueOf = (input: { QueueUrl?: unknown }): Queue => {
    const name = typeof input.QueueUrl === 'string' ? input.QueueUrl.split('/').filter(Boolean).pop() : undefined;
    const queue = name === undefined ? undefined : queues.get(name);
    if (!queue) throw nonExistentQueue();
    return queue;
  };

  const enqueue = (
    queue: Queue,
    entry: { MessageBody?: unknown; DelaySeconds?: unknown; MessageAttributes?: unknown },
  ): { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string } => {
    if (typeof entry.MessageBody !== 'string' || entry.MessageBody.length === 0)
      throw new SqsError(
        400,
        'MissingParameter',
        'MissingParameter',
        'The request must contain the parameter MessageBody.',
      );
    const attributes = (entry.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>;
    if (Buffer.byteLength(entry.MessageBody) + Buffer.byteLength(JSON.stringify(attributes)) > maxMessageBytes)
      throw invalid(
        `One or more parameters are invalid. Reason: Message must be shorter than ${maxMessageBytes} bytes.`,
      );
    const delaySeconds = typeof entry.DelaySeconds === 'number' ? entry.DelaySeconds : queue.spec.delaySeconds;
    const message: Message = {
      messageId: randomUUID(),
      body: entry.MessageBody,
      md5OfBody: md5(entry.MessageBody),
      attributes,
      sentAt: now(),
      receiveCount: 0,
      visibleAt: Date.now() + delaySeconds * 1000,
    };
    queue.messages.push(message);
    schedule(queue, delaySeconds * 1000);
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...(Object.keys(attributes).length > 0 && { MD5OfMessageAttributes: md5OfMessageAttributes(attributes) }),
    };
  };

  const actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    SendMessage: (input) => enqueue(queueOf(input), input),
    SendMessageBatch: (input) => {
      const queue = queueOf(input);
      const entries = (input['Entries'] ?? []) as {
        Id?: unknown;
        MessageBody?: unknown;
        DelaySeconds?: unknown;
        MessageAttributes?: unknown;
      }[];
      if (entries.length === 0)
        throw new SqsError(
          400,
          'EmptyBatchRequest',
          'AWS.SimpleQueueService.EmptyBatchRequest',
          'There should be at least one SendMessageBatchRequestEntry in the request.',
        );
      if (entries.length > 10)
        throw new SqsError(
          400,
          'TooManyEntriesInBatchRequest',
          'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
          'Maximum number of entries per request are 10.',
        );
      const successful: unknown[] = [];
      const failed: unknown[] = [];
      for (const entry of entries) {
        try {
          successful.push({ Id: entry.Id, ...enqueue(queue, entry) });
        } catch (error) {
          if (!(error instanceof SqsError)) throw error;
          failed.push({ Id: entry.Id, SenderFault: true, Code: error.type, Message: error.message });
        }
      }
      return { Successful: successful, Failed: failed };
    },
    GetQueueUrl: (input) => {
      const queue = typeof input['QueueName'] === 'string' ? queues.get(input['QueueName']) : undefined;
      if (!queue) throw nonExistentQueue();
      return { QueueUrl: `${endpoint}/${options.account}/${queue.spec.name}` };
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
        ...headers,
      });
      response.end(JSON.stringify(body));
    };
    try {
      const action = actions[target.replace(/^AmazonSQS\./, '')];
      if (request.method !== 'POST' || !target.startsWith('AmazonSQS.') || !action)
        throw new SqsError(
          400,
          'UnsupportedOperation',
          'AWS.SimpleQueueService.UnsupportedOperation',
          `${target || 'this request'} is not served by the local SQS stand-in (SendMessage, SendMessageBatch, GetQueueUrl)`,
        );
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      reply(200, action(input));
    } catch (error) {
      if (error instanceof SqsError) {
        reply(
          error.status,
          { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
          {
            'x-amzn-query-error': `${error.queryError};Sender`,
          },
        );
      } else {
        log(`sqs ${target}: ${(error as Error).stack}`);
        reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'internal error' });
      }
    }
  };

  /** Delivers what is visible now to the queue's consumer, and wakes up when the next message shows. */
  const schedule = (queue: Queue, delayMs = 0) => {
    const consumer = queue.consumer;
    if (!consumer || stopped) return;
    if (delayMs <= 0) {
      setImmediate(() => pump(queue));
      return;
    }
    const timer = setTimeout(() => pump(queue), delayMs);
    timer.unref();
  };

  const pump = (queue: Queue) => {
    const consumer = queue.consumer;
    if (!consumer || stopped) return;
    const realNow = Date.now();
    // Presence older than the retention is gone, delivered or not.
    const expired = queue.messages.filter((m) => now() - m.sentAt >= queue.spec.messageRetentionSeconds * 1000);
    for (const m of expired) remove(queue, m);
    while (consumer.inFlight < maxConcurrency) {
      const visible = queue.messages
        .filter((m) => !m.inFlight && m.visibleAt <= realNow)
        .slice(0, consumer.mapping.batchSize);
      if (visible.length === 0) break;
      const batch: Message[] = [];
      for (const message of visible) {
        // SQS moves a message to the DLQ at the receive that would exceed maxReceiveCount.
        const deadLetter = queue.spec.deadLetter;
        if (deadLetter && message.receiveCount >= deadLetter.maxReceiveCount) {
          moveToDeadLetter(queue, message, deadLetter.arn);
          continue;
        }
        message.receiveCount += 1;
        message.firstReceivedAt ??= now();
        message.receiptHandle = Buffer.from(`${message.messageId}:${randomUUID()}`).toString('base64');
        message.inFlight = true;
        batch.push(message);
      }
      if (batch.length > 0) {
        options.metrics?.record(
          {
            region: queue.spec.regionKey,
            namespace: localSqsNamespace,
            name: 'ApproximateAgeOfOldestMessage',
            dimensions: { QueueName: queue.spec.name },
          },
          Math.max(...batch.map((m) => now() - m.sentAt)) / 1000,
        );
        void deliver(queue, consumer, batch);
      }
    }
    const next = Math.min(...queue.messages.filter((m) => !m.inFlight).map((m) => m.visibleAt));
    if (Number.isFinite(next) && next > realNow) {
      clearTimeout(consumer.timer);
      consumer.timer = setTimeout(() => pump(queue), next - realNow);
      consumer.timer.unref();
    }
  };

  const remove = (queue: Queue, message: Message) => {
    const at = queue.messages.indexOf(message);
    if (at >= 0) queue.messages.splice(at, 1);
  };

  const moveToDeadLetter = (queue: Queue, message: Message, arn: string) => {
    remove(queue, message);
    const name = sqsQueueName(arn);
    const deadLetterQueue = name === undefined ? undefined : queues.get(name);
    log(
      `${queue.spec.regionKey} sqs ${queue.spec.name} → ${name ?? arn}: message ${message.messageId} after ${message.receiveCount} receives`,
    );
    if (!deadLetterQueue) return;
    // The message keeps its id, body and first send time (a standard queue's retention counts from it).
    deadLetterQueue.messages.push({ ...message, visibleAt: Date.now(), inFlight: false });
    schedule(deadLetterQueue);
  };

  const deliver = async (queue: Queue, consumer: Consumer, batch: Message[]) => {
    consumer.inFlight += 1;
    consumer.invocations += 1;
    const region = options.queues.find((q) => q.name === queue.spec.name)?.regionKey;
    const started = Date.now();
    const event = {
      Records: batch.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
        },
        messageAttributes: Object.fromEntries(
          Object.entries(m.attributes).map(([name, a]) => [
            name,
            {
              ...(a.StringValue !== undefined && { stringValue: a.StringValue }),
              ...(a.BinaryValue !== undefined && { binaryValue: a.BinaryValue }),
              stringListValues: [],
              binaryListValues: [],
              dataType: a.DataType,
            },
          ]),
        ),
        md5OfBody: m.md5OfBody,
        ...(Object.keys(m.attributes).length > 0 && { md5OfMessageAttributes: md5OfMessageAttributes(m.attributes) }),
        eventSource: 'aws:sqs',
        eventSourceARN: queue.spec.arn,
        awsRegion: queue.spec.arn.split(':')[3],
      })),
    };
    let failedIds: Set<string>;
    let outcomeText: string;
    try {
      const outcome = await consumer.target.invoke(event);
      if ('error' in outcome) {
        failedIds = new Set(batch.map((m) => m.messageId));
        consumer.lastError = `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
        outcomeText = `failed: ${consumer.lastError}`;
      } else {
        failedIds = reportedFailures(outcome.result, batch, consumer.mapping.reportBatchItemFailures);
        outcomeText = failedIds.size > 0 ? `${failedIds.size} failed` : 'ok';
      }
    } catch (error) {
      failedIds = new Set(batch.map((m) => m.messageId));
      consumer.lastError = (error as Error).message;
      outcomeText = `failed: ${consumer.lastError}`;
    } finally {
      consumer.inFlight -= 1;
    }
    // Lambda deletes what succeeded; the rest reappears after the visibility timeout (locally
    // counted from the answer, and at most retryDelayMs).
    const visibleAgainAt = Date.now() + Math.min(queue.spec.visibilityTimeoutSeconds * 1000, retryDelayMs);
    for (const message of batch) {
      message.inFlight = false;
      if (failedIds.has(message.messageId)) message.visibleAt = visibleAgainAt;
      else remove(queue, message);
    }
    log(
      `${region ?? ''} sqs ${queue.spec.name} → ${consumer.target.fn.name} ${batch.length} messages → ${outcomeText} ${Date.now() - started} ms`,
    );
    schedule(queue);
  };

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => done());
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    queueUrl: (name) => `${endpoint}/${options.account}/${name}`,
    consume(mappings) {
      for (const { mapping, target } of mappings) {
        const name = sqsQueueName(mapping.eventSourceArn);
        const queue = name === undefined ? undefined : queues.get(name);
        if (!queue) continue;
        if (!mapping.enabled) continue;
        queue.consumer = { mapping, target, inFlight: 0, invocations: 0 };
        schedule(queue);
      }
    },
    status: (region) =>
      [...queues.values()]
        .filter((q) => region === undefined || q.spec.regionKey === region)
        .map((q) => ({
          name: q.spec.name,
          region: q.spec.regionKey,
          url: `${endpoint}/${options.account}/${q.spec.name}`,
          visible: q.messages.filter((m) => !m.inFlight && m.visibleAt <= Date.now()).length,
          inFlight: q.messages.filter((m) => m.inFlight).length,
          ...(q.consumer && {
            consumer: {
              function: q.consumer.target.fn.logicalId,
              invocations: q.consumer.invocations,
              ...(q.consumer.lastError !== undefined && { lastError: q.consumer.lastError }),
            },
          }),
        })),
    waiting: (region) =>
      Object.fromEntries(
        [...queues.values()]
          .filter((q) => !q.consumer && (region === undefined || q.spec.regionKey === region))
          .map((q) => [
            q.spec.name,
            q.messages.map((m) => ({
              messageId: m.messageId,
              body: m.body,
              attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
            })),
          ]),
      ),
    stop: async () => {
      stopped = true;
      for (const queue of queues.values()) clearTimeout(queue.consumer?.timer);
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The messages to retry after an answer: with ReportBatchItemFailures, the listed ids (an id that
 * is missing, empty or not in the batch fails the whole batch, as Lambda does); without it, none.
 */
function reportedFailures(result: unknown, batch: readonly Message[], reportBatchItemFailures: boolean): Set<string> {
  if (!reportBatchItemFailures || result === null || typeof result !== 'object') return new Set();
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  const all = new Set(batch.map((m) => m.messageId));
  if (!Array.isArray(failures)) return all;
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    ids.add(id);
  }
  return ids;
}
