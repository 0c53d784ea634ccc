/**
 * The rules Lambda: the second consumer of the telemetry stream. Records are parsed one by one
 * under Powertools batch processing (a record that is not a beat fails alone); the beats are then
 * evaluated per installation (one state read and one write each). An installation whose
 * evaluation fails reports its records as batch item failures; the retry re-reads them, and the
 * state's shard checkpoints make the records already evaluated a no-op.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { parseStreamRecord } from '../core/telemetry/archive-batch';
import { beatFromRow } from '../core/telemetry/archive-row';
import type { BatchBeat } from '../core/rules/engine';
import { evaluateInstallationBatch, groupByInstallation } from '../core/rules/process-batch';
import { countOutcome } from '../shared/rules-metrics';
import { logger } from '../shared/powertools';
import { rulesDeps } from '../shared/rules-deps';

const processor = new BatchProcessor(EventType.KinesisDataStreams);

export const handler = async (event: KinesisStreamEvent, context: Context) => {
  const parsed: (BatchBeat & { installationId: string })[] = [];
  const recordHandler = async (record: KinesisStreamRecord) => {
    const row = parseStreamRecord(Buffer.from(record.kinesis.data, 'base64'));
    parsed.push({
      installationId: row.installation_id,
      beat: beatFromRow(row),
      shardId: record.eventID.split(':')[0]!,
      sequenceNumber: record.kinesis.sequenceNumber,
    });
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
    for (const beat of beats) response.batchItemFailures.push({ itemIdentifier: beat.sequenceNumber });
  });
  return response;
};
