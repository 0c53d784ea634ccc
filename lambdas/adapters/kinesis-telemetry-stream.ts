/** The telemetry stream on Kinesis over HTTP/1.1: its client defaults to HTTP/2, which kinesalite does not speak, and `requestHandler` options alone keep HTTP/2. */
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { StreamRecord, TelemetryStream } from '../core/telemetry/ports';
import { rethrowThrottling } from './aws-errors';
import { traced } from '../shared/powertools';
import { attemptCaps } from '../shared/invocation-deadline';
import { cappedHttpHandler, withDeadline } from './sdk-deadline';

let client: KinesisClient | undefined;
export function kinesisClient(): KinesisClient {
  // Each attempt capped, all of them within the invocation's remaining time (sdk-deadline.ts); a
  // call sent without per-call options (an ample budget) reuses the resolved middleware.
  client ??= withDeadline(
    traced(new KinesisClient({ requestHandler: cappedHttpHandler(attemptCaps.kinesis), cacheMiddleware: true })),
    attemptCaps.kinesis,
    'The telemetry stream',
  );
  return client;
}

export class KinesisTelemetryStream implements TelemetryStream {
  constructor(
    private readonly streamName: string,
    private readonly kinesis: KinesisClient = kinesisClient(),
  ) {}

  async put(records: readonly StreamRecord[]): Promise<{ failed: number[] }> {
    try {
      const out = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.streamName,
          Records: records.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })),
        }),
      );
      const failed: number[] = [];
      out.Records?.forEach((r, i) => {
        if (r.ErrorCode) failed.push(i);
      });
      return { failed };
    } catch (error) {
      return rethrowThrottling(error, 'The telemetry stream');
    }
  }
}
