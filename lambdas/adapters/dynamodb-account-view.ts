/**
 * The account view: each active installation keeps a copy of its account's terms beside it
 * (`INST#<inst> / ACCT`: termsRev, the telemetry switch, closedAt), so a signed request reads one
 * partition instead of two (docs/licensing.md "The account view").
 *
 * A commit that changes the account's terms puts a pending marker (`ACCTVIEW_PENDING / <account>`)
 * in its own transaction; once it has committed, the writer copies the terms to every active
 * installation (a newer termsRev never loses to an older one) and removes the marker. A writer that
 * stops in between leaves the marker, and the 5-minute repair (a release-stale run) copies again.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { AccountTerms } from '../core/licensing/repository';
import { settleLimited } from '../core/settle-limited';
import { licensingPk } from '../shared/licensing-table-keys';
import { hasErrorName, rethrowThrottling } from './aws-errors';

/** The view's sort key: `ACCT` < `META` < `POLL`, so one key range reads all three. */
export const ACCOUNT_VIEW_SK = 'ACCT';
/** Copies in flight at once: the fan-out shares the function's connection pool. */
const FAN_OUT = 16;
/** How long a commit's own copying may take; the 5-minute repair takes the rest. */
const INLINE_COPY_MS = 5_000;

type TransactPut = { Put: { TableName: string; Item: Record<string, unknown> } };

const viewItem = z.object({
  termsRev: z.int(),
  telemetryEnabled: z.boolean(),
  closedAt: z.optional(z.string()),
});
const markerItem = z.object({ accountId: z.string(), token: z.string() });
const termsItem = z.object({
  termsRev: z.int(),
  telemetryEnabled: z.boolean(),
  closure: z.optional(z.object({ closedAt: z.string() })),
});
const markerKey = (accountId: string) => ({ pk: licensingPk('accountViews'), sk: accountId });
const summaryKeys = z.object({ installationId: z.string(), status: z.string() });

/** The view as a stored item says it; undefined when the item is not a view. */
export function parseAccountView(item: Record<string, unknown> | undefined): AccountTerms | undefined {
  const parsed = item && viewItem.safeParse(item);
  return parsed?.success ? parsed.data : undefined;
}

/** The view of a new installation, written in its activation's transaction (no marker needed). */
export function accountViewPut(tableName: string, installationId: string, terms: AccountTerms): TransactPut {
  return { Put: { TableName: tableName, Item: viewRecord(installationId, terms) } };
}

/** The marker a terms-changing commit puts in its transaction: the copies are owed until it is gone. */
export function pendingViewPut(tableName: string, accountId: string, at: string): TransactPut {
  // the token tells this commit's marker from a later one's (two may share a millisecond)
  const item = { ...markerKey(accountId), type: 'account-view-pending', accountId, at };
  return { Put: { TableName: tableName, Item: { ...item, token: randomUUID() } } };
}

function viewRecord(installationId: string, terms: AccountTerms): Record<string, unknown> {
  return {
    pk: licensingPk('installation', installationId),
    sk: ACCOUNT_VIEW_SK,
    type: 'account-view',
    termsRev: terms.termsRev,
    telemetryEnabled: terms.telemetryEnabled,
    ...(terms.closedAt !== undefined && { closedAt: terms.closedAt }),
  };
}

export interface PropagationOutcome {
  /** the installations whose view was written (or already as new) */
  readonly installations: number;
  /** false: the budget ran out (or a copy failed) and the marker stays for the next run */
  readonly complete: boolean;
}

/**
 * Copies the account's terms to each active installation, then removes the marker it read first
 * (only that one: a commit after it put a newer marker, which its own copy or the next run takes).
 */
export async function propagateAccountView(
  client: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  options: { deadline?: number } = {},
): Promise<PropagationOutcome> {
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const marker = (
    await client.send(new GetCommand({ TableName: tableName, Key: markerKey(accountId), ConsistentRead: true }))
  ).Item;
  const terms = await readAccountTerms(client, tableName, accountId, true);
  if (!terms) {
    if (marker) await removeMarker(client, tableName, accountId, markerItem.parse(marker).token);
    return { installations: 0, complete: true };
  }
  let copied = 0;
  let complete = true;
  let startKey: Record<string, unknown> | undefined;
  do {
    if (Date.now() >= deadline) {
      complete = false;
      break;
    }
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :inst)',
        ProjectionExpression: 'installationId, #status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': licensingPk('account', accountId), ':inst': 'INST#' },
        ConsistentRead: true,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    const active = (page.Items ?? []).map((i) => summaryKeys.parse(i)).filter((s) => s.status === 'active');
    const settled = await settleLimited(active, FAN_OUT, (s) => writeView(client, tableName, s.installationId, terms));
    copied += settled.filter((s) => s.status === 'fulfilled').length;
    if (settled.some((s) => s.status === 'rejected')) complete = false;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  if (complete && marker) await removeMarker(client, tableName, accountId, markerItem.parse(marker).token);
  return { installations: copied, complete };
}

/**
 * After a commit that changed the account's terms: its copies, within the inline budget. The
 * commit stands whatever happens here; what is left (`onDeferred`) its marker leaves to the repair.
 */
export async function copyAfterCommit(
  client: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  onDeferred?: (accountId: string, error?: unknown) => void,
): Promise<void> {
  try {
    const outcome = await propagateAccountView(client, tableName, accountId, { deadline: Date.now() + INLINE_COPY_MS });
    if (!outcome.complete) onDeferred?.(accountId);
  } catch (error) {
    onDeferred?.(accountId, error);
  }
}

/** The accounts whose copies are still owed (at most `limit`). */
export async function pendingViewAccounts(
  client: DynamoDBDocumentClient,
  tableName: string,
  limit: number,
): Promise<string[]> {
  const out = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': licensingPk('accountViews') },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => markerItem.parse(i).accountId);
}

/** The account item's terms alone: two small attributes of a small item, whatever the account's size. */
export async function readAccountTerms(
  client: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  consistentRead: boolean,
): Promise<AccountTerms | undefined> {
  const out = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: licensingPk('account', accountId), sk: 'META' },
      ProjectionExpression: 'termsRev, telemetryEnabled, #closure.closedAt',
      ExpressionAttributeNames: { '#closure': 'closure' },
      ConsistentRead: consistentRead,
    }),
  );
  if (!out.Item) return undefined;
  const { closure, ...terms } = termsItem.parse(out.Item);
  return { ...terms, ...(closure && { closedAt: closure.closedAt }) };
}

/**
 * The port's getAccountTerms (the licensing reads, the telemetry ingest): strongly consistent unless
 * told, null for no account, throttling a 503; half a read unit eventually consistent, however big the account.
 */
export async function getAccountTerms(
  client: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  options: { consistentRead?: boolean } = {},
): Promise<AccountTerms | null> {
  try {
    return (await readAccountTerms(client, tableName, accountId, options.consistentRead ?? true)) ?? null;
  } catch (error) {
    return rethrowThrottling(error, 'The licensing store');
  }
}

/** Newer wins: a copy of an older termsRev (a slower writer) leaves a newer one in place. */
const writeView = (client: DynamoDBDocumentClient, tableName: string, installationId: string, terms: AccountTerms) =>
  unlessConditionFails(
    client.send(
      new PutCommand({
        TableName: tableName,
        Item: viewRecord(installationId, terms),
        ConditionExpression: 'attribute_not_exists(pk) OR termsRev < :rev',
        ExpressionAttributeValues: { ':rev': terms.termsRev },
      }),
    ),
  );

/** Only the marker read before the copies: a later commit's stays for its own. */
const removeMarker = (client: DynamoDBDocumentClient, tableName: string, accountId: string, token: string) =>
  unlessConditionFails(
    client.send(
      new DeleteCommand({
        TableName: tableName,
        Key: markerKey(accountId),
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': token },
      }),
    ),
  );

/** A write whose condition refused it did what it had to (left something newer in place). */
async function unlessConditionFails(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!hasErrorName(error, 'ConditionalCheckFailedException')) throw error;
  }
}
