/**
 * An installation's item with its last poll and its copy of the account's terms: the fleet's most
 * frequent licensing read, alone, so a function that needs only it (the rules, the charts) does
 * not bundle the account's reads (dynamodb-licensing-reads.ts, which uses it too).
 */
import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import { productSchema, regionSchema } from '../core/licensing/catalogue';
import type { Installation } from '../core/licensing/model';
import type { AccountTerms } from '../core/licensing/repository';
import { licensingPk } from '../shared/licensing-table-keys';
import { rethrowThrottling } from './aws-errors';
import { ACCOUNT_VIEW_SK, parseAccountView } from './dynamodb-account-view';

export const installationPk = (id: string) => licensingPk('installation', id);
/** the sort key of an installation's last-poll item; ACCT < META < POLL, so one key range reads all three */
export const LAST_POLL_SK = 'POLL';

// Stored items are a boundary: parsed, never cast.
export const allocationItem = z.partialRecord(productSchema, z.int().check(z.nonnegative()));
export const installationSummaryItem = z.object({
  installationId: z.string(),
  status: z.enum(['active', 'deactivated']),
  allocation: allocationItem,
  nodes: z.array(z.string()),
  suiteVersion: z.string(),
  activatedAt: z.string(),
  deactivatedAt: z.optional(z.string()),
});
const licenseItem = z.object({
  jws: z.string(),
  etag: z.string(),
  ver: z.int(),
  contentHash: z.string(),
  exp: z.int(),
  basedOnRev: z.int(),
  basedOnAccountRev: z.optional(z.int()),
  validUntil: z.optional(z.string()),
});
const installationItem = z.extend(installationSummaryItem, {
  accountId: z.string(),
  region: regionSchema,
  publicKey: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }),
  thumbprint: z.string(),
  activationKeyHash: z.string(),
  telemetryEnabled: z.boolean(),
  rev: z.int(),
  license: licenseItem,
  lastPollAt: z.optional(z.string()),
  telemetryOverride: z.optional(z.object({ seconds: z.int(), until: z.string() })),
});
export const lastPollItem = z.object({ installationId: z.string(), lastPollAt: z.optional(z.string()) });

export async function readInstallationWithTerms(
  reads: DynamoDBClient,
  tableName: string,
  installationId: string,
  options: { consistentRead?: boolean } = {},
): Promise<{ installation: Installation; terms?: AccountTerms } | null> {
  // One query reads the account's terms as copied, the installation and its last-poll item: the
  // same read units as a GetItem of the installation alone while the three fit in 4 KB.
  // A low-level command: the document client's layer would cost about a tenth of a poll's CPU
  // (docs/operations.md "Dependency timeouts").
  let items: Record<string, unknown>[];
  try {
    const out = await reads.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :view AND :poll',
        ExpressionAttributeValues: {
          ':pk': { S: installationPk(installationId) },
          ':view': { S: ACCOUNT_VIEW_SK },
          ':poll': { S: LAST_POLL_SK },
        },
        ConsistentRead: options.consistentRead ?? true,
      }),
    );
    items = (out.Items ?? []).map((item) => unmarshall(item));
  } catch (error) {
    return rethrowThrottling(error, 'The licensing store');
  }
  const meta = items.find((i) => i.sk === 'META');
  if (!meta) return null;
  const installation = installationItem.parse(meta);
  const poll = items.find((i) => i.sk === LAST_POLL_SK);
  const lastPollAt = (poll && lastPollItem.parse(poll).lastPollAt) ?? installation.lastPollAt;
  const terms = parseAccountView(items.find((i) => i.sk === ACCOUNT_VIEW_SK));
  return { installation: { ...installation, ...(lastPollAt ? { lastPollAt } : {}) }, ...(terms && { terms }) };
}

/** The installation read alone, for what needs nothing else of licensing (the rules' licence facts). */
export class DynamoDbInstallationRead {
  constructor(
    // the document client sends a low-level command as it is
    private readonly client: DynamoDBClient | DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getInstallation(
    installationId: string,
    options: { consistentRead?: boolean } = {},
  ): Promise<Installation | null> {
    const reads = this.client as DynamoDBClient;
    return (await readInstallationWithTerms(reads, this.tableName, installationId, options))?.installation ?? null;
  }
}
