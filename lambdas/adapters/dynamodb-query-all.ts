import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** The one method of the document client a Query needs (tests count units by wrapping it). */
interface QueryClient {
  send(
    command: QueryCommand,
  ): Promise<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>;
}

/**
 * Every item a Query matches, page after page; with `limit`, it stops after the page that reaches
 * it (the caller slices). Errors propagate as the SDK threw them: each store names its own.
 */
export async function queryAll(
  client: QueryClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  limit = Number.POSITIVE_INFINITY,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(startKey && { ExclusiveStartKey: startKey }) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < limit);
  return items;
}
