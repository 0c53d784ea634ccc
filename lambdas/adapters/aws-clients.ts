/**
 * AWS SDK clients as module singletons, created on first use. Endpoints come from the SDK's own
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how the local cloud points them at its emulators.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../shared/powertools';
import { attemptCaps } from '../shared/invocation-deadline';
import { cappedHttpHandler, withDeadline } from './sdk-deadline';

let documentClient: DynamoDBDocumentClient | undefined;
let readClient: DynamoDBClient | undefined;

/**
 * The function's one document client, plain: the licensing table's adapters take it through
 * `licensingTableClient()` (licensing-table-client.ts), which adds the vendor events where the
 * function may write audit items, so that only those bundles carry them (docs/events.md).
 */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  if (!documentClient) {
    const client = new DynamoDBClient({ requestHandler: cappedHttpHandler(attemptCaps.dynamodb) });
    documentClient = DynamoDBDocumentClient.from(traced(client), {
      marshallOptions: { removeUndefinedValues: true },
    });
    // Budgeted from the invocation's remaining time; a call that runs out answers 503 (sdk-deadline.ts).
    withDeadline(documentClient, attemptCaps.dynamodb, 'The database');
  }
  return documentClient;
}

/**
 * A low-level client for the fleet's most frequent read (the installation on every poll and
 * telemetry post): its calls are answered at the deadline by the race alone, so they go without
 * per-call options and the SDK resolves each command's middleware once (`cacheMiddleware`, which
 * the document client cannot use). About a fifth of a poll's CPU (docs/operations.md).
 */
export function dynamoReadClient(): DynamoDBClient {
  readClient ??= withDeadline(
    traced(new DynamoDBClient({ requestHandler: cappedHttpHandler(attemptCaps.dynamodb), cacheMiddleware: true })),
    attemptCaps.dynamodb,
    'The database',
    'race',
  );
  return readClient;
}
