/**
 * The rules Lambda: the second consumer of the telemetry stream. Records are decoded one by one
 * under Powertools batch processing (a record that does not decode fails alone; a record carries
 * an agent batch's beats, or one beat in the v1 shape); the beats are then
 * evaluated per installation (one state read and one write each). An installation whose
 * evaluation fails reports its records as batch item failures; the retry re-reads them, and the
 * state's shard checkpoints make the records already evaluated a no-op.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { beatOf, decodeStreamRecord } from '../core/telemetry/stream-record';
import type { BatchBeat } from '../core/rules/engine';
import { evaluateInstallationBatch, groupByInstallation } from '../core/rules/process-batch';
import { countOutcome } from '../shared/rules-metrics';
import { logger } from '../shared/powertools';
import { rulesDeps } from '../shared/rules-deps';

const processor = new BatchProcessor(EventType.KinesisDataStreams);

export const handler = async (event: KinesisStreamEvent, context: Context) => {
  const parsed: (BatchBeat & { installationId: string })[] = [];
  const recordHandler = async (record: KinesisStreamRecord) => {
    const { header, beats } = decodeStreamRecord(Buffer.from(record.kinesis.data, 'base64'));
    const shardId = record.eventID.split(':')[0]!;
    // every beat of a record shares its sequence number: the state's checkpoint skips them together
    const items = beats.map((beat) => ({
      installationId: header.installation_id,
      beat: beatOf(beat),
      shardId,
      sequenceNumber: record.kinesis.sequenceNumber,
    }));
    parsed.push(...items);
  };
  const response = await processPartialResponse(event, recordHandler, processor, { context });

  const now = Date.now();
  const groups = groupByInstallation(parsed);
  const outcomes = await Promise.allSettled(
    [...groups].map(([installationId, beats]) => evaluateInstallationBatch(rulesDeps(), installationId, beats, now)),
  );
  [...groups.values()].forEach((beats, index) => {
    const outcome = outcomes[index]!;
    if (outcome.status === 'fulfilled') {
      countOutcome(outcome.value);
      return;
    }
    logger.error('rules evaluation failed', {
      installationId: beats[0]!.installationId,
      error: outcome.reason as Error,
    });
    // one failure per record, not per beat (a record carries a whole agent batch)
    for (const sequenceNumber of new Set(beats.map((beat) => beat.sequenceNumber))) {
      response.batchItemFailures.push({ itemIdentifier: sequenceNumber });
    }
  });
  return response;
};
