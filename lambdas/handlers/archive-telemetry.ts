/**
 * The archiver: a Kinesis consumer writing the region's beats to S3 as gzip NDJSON, one object
 * per arrival hour per invocation. A record that does not decode is reported as a batch item
 * failure (bisected away into the on-failure destination) and splits the objects, so the retry
 * from it overwrites what this attempt wrote; an S3 failure fails the whole batch, which Kinesis
 * retries and which overwrites.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { KinesisStreamRecord } from 'aws-lambda';
import { archiveLines, writeArchive, type ArrivedRecord } from '../core/telemetry/archive-batch';
import { decodeStreamRecord } from '../core/telemetry/stream-record';
import { emitCount } from '../shared/business-metrics';
import { env } from '../shared/env';
import { streamHandler } from '../shared/handler-stack';
import { logger } from '../shared/powertools';
import { archiveStore } from '../shared/telemetry-deps';

const processor = new BatchProcessor(EventType.KinesisDataStreams);

export const handler = streamHandler(async (event, context) => {
  const arrived: ArrivedRecord[] = [];
  const recordHandler = async (record: KinesisStreamRecord) => {
    const decoded = decodeStreamRecord(Buffer.from(record.kinesis.data, 'base64'));
    arrived.push({
      shardId: record.eventID.split(':')[0]!,
      sequenceNumber: record.kinesis.sequenceNumber,
      arrivedAt: new Date(record.kinesis.approximateArrivalTimestamp * 1000),
      lines: archiveLines(decoded),
      beats: decoded.beats.length,
    });
  };
  const response = await processPartialResponse(event, recordHandler, processor, { context });
  const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
  const objects = await writeArchive(archiveStore(), env().REGION_KEY, arrived, failed);
  const beats = arrived.reduce((n, r) => n + r.beats, 0);
  emitCount('beatsArchived', beats);
  logger.info('archived', {
    records: arrived.length,
    beats,
    objects: objects.length,
    failures: response.batchItemFailures.length,
  });
  return response;
});
