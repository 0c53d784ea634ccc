/** The fan-out queue's consumer: each message becomes frames to the sessions that watch its users. */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { fanOut } from '../core/presence/notifications';
import type { FanOutMessage } from '../core/presence/store';
import { withHouseStack } from '../shared/handler-stack';
import { logger } from '../shared/powertools';
import { presenceDeps } from '../shared/presence-deps';

const update = z.object({
  userId: z.string(),
  upn: z.string(),
  availability: z.string(),
  activity: z.string(),
  at: z.string(),
});
const messageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('presence'), accountId: z.string(), updates: z.array(update) }),
  z.object({ kind: z.literal('resync'), accountId: z.string(), userIds: z.array(z.string()) }),
  z.object({
    kind: z.literal('notice'),
    accountId: z.string(),
    status: z.number(),
    title: z.string(),
    detail: z.string(),
  }),
]);

export const handler = withHouseStack(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      let message: FanOutMessage;
      try {
        message = messageSchema.parse(JSON.parse(record.body));
      } catch {
        // Not ours to retry: a malformed message would fail the same way each time.
        logger.warn('presence fan-out: malformed message dropped', { messageId: record.messageId });
        return;
      }
      try {
        await fanOut(presenceDeps(), message);
      } catch (error) {
        logger.warn('presence fan-out failed; SQS retries the message', {
          messageId: record.messageId,
          error: error instanceof Error ? error.name : 'unknown',
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
});
