/**
 * The rules Lambda: the second consumer of the telemetry stream. Records are decoded one by one
 * under Powertools batch processing (a record that does not decode fails alone; a record carries
 * an agent batch's beats, or one beat in the v1 shape); the beats are then evaluated per
 * installation, with the licence facts the records carry (read only when they carry none). An installation whose evaluation fails reports its records as batch item failures;
 * the retry re-reads them, and the state's shard checkpoints make the records already evaluated a no-op.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { KinesisStreamRecord } from 'aws-lambda';
import { evaluateStreamBatch, type StreamBatchBeat } from '../core/rules/evaluate-installations';
import { RecordLicenceFacts } from '../core/rules/record-licence-facts';
import { systemClock } from '../core/ports';
import { beatOf, decodeStreamRecord } from '../core/telemetry/stream-record';
import { streamHandler } from '../shared/handler-stack';
import { logger } from '../shared/powertools';
import { streamRulesDeps } from '../shared/stream-rules-deps';
import { countFleetChanges, forInvocation, keepFleetFacts } from '../shared/rules-invocation';
import { countOutcome } from '../shared/rules-metrics';

const processor = new BatchProcessor(EventType.KinesisDataStreams);

/** Every beat of a record shares its sequence number: the state's checkpoint skips them together. */
function beatsOf(record: KinesisStreamRecord, licences: RecordLicenceFacts): StreamBatchBeat[] {
  const { header, beats, licenceUnread } = decodeStreamRecord(Buffer.from(record.kinesis.data, 'base64'));
  // an ingest newer than this consumer: its facts are not read, the licence is (one read per post)
  if (licenceUnread)
    logger.warn('stream record licence facts not read; reading the licence', {
      installationId: header.installation_id,
    });
  licences.add(header);
  const shardId = record.eventID.split(':')[0]!;
  const { sequenceNumber } = record.kinesis;
  return beats.map((beat) => ({ installationId: header.installation_id, beat: beatOf(beat), shardId, sequenceNumber }));
}

export const handler = streamHandler(async (event, context) => {
  const deps = forInvocation(streamRulesDeps());
  const licences = new RecordLicenceFacts(deps.licences, systemClock);
  const beats: StreamBatchBeat[] = [];
  const recordHandler = async (record: KinesisStreamRecord) => {
    beats.push(...beatsOf(record, licences));
  };
  // a copy: without a decoding failure Powertools returns its shared default object
  const { batchItemFailures } = await processPartialResponse(event, recordHandler, processor, { context });
  const response = { batchItemFailures: [...batchItemFailures] };
  const now = Date.now();
  const { outcomes, failures } = await evaluateStreamBatch({ ...deps, licences }, beats, now);
  for (const outcome of outcomes) countOutcome(outcome);
  await Promise.all([countFleetChanges(outcomes, now), keepFleetFacts(beats, outcomes, now)]);
  for (const { installationId, error, sequenceNumbers } of failures) {
    logger.error('rules evaluation failed', { installationId, error: error as Error });
    response.batchItemFailures.push(...sequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })));
  }
  return response;
});
