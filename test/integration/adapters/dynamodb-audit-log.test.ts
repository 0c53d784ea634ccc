/**
 * The DynamoDB audit log keeps the AuditLogReader contract (the one the in-memory audit log
 * keeps), reading what the DynamoDB licensing repository writes, on DynamoDB Local in a table of its own.
 */
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { AUDIT_READ_BOUNDS } from '#lambdas/core/licensing/list-audit-events';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import { auditLogContract } from '#test/contract/audit-log.contract';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';

jest.setTimeout(30_000);

let table: LicensingTable;

beforeAll(async () => {
  table = await createLicensingTable(`audit-log-contract-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

auditLogContract('DynamoDbAuditLog', () => ({
  repository: new DynamoDbLicensingRepository(table.documents, table.tableName),
  auditLog: new DynamoDbAuditLog(table.documents, table.tableName),
}));

describe('DynamoDbAuditLog: the work of one request is bounded', () => {
  const accountId = 'acc_boundedaudit';
  const MINUTE_MS = 60_000;
  /** 2 `keep` events, the oldest, under 40 newer `skip` ones: a filter for `keep` must page past them all. */
  const written = Array.from({ length: 42 }, (_, i) => {
    const at = new Date(Date.UTC(2026, 0, 1) + i * MINUTE_MS).toISOString();
    return { at, eventId: `evt-${String(i).padStart(2, '0')}`, action: i < 2 ? 'keep' : 'skip' };
  });

  beforeAll(async () => {
    for (let i = 0; i < written.length; i += 25) {
      await table.documents.send(
        new BatchWriteCommand({
          RequestItems: {
            [table.tableName]: written.slice(i, i + 25).map(({ at, eventId, action }) => ({
              PutRequest: {
                Item: {
                  pk: `AUDIT#${accountId}`,
                  sk: `${at}#${eventId}`,
                  accountId,
                  at,
                  eventId,
                  actor: { kind: 'system', id: 'test' },
                  action,
                  details: {},
                },
              },
            })),
          },
        }),
      );
    }
  });

  let readers = 0;
  /** A reader whose client counts the Query calls it sends (DynamoDB Local answers them). */
  function countingReader(bounds: { pages: number; items: number }) {
    const documents = DynamoDBDocumentClient.from(table.raw);
    const counter = { queries: 0 };
    documents.middlewareStack.add(
      (next) => async (args) => {
        counter.queries++;
        return next(args);
      },
      // the documents client shares the raw client's stack: one counter of its own per reader
      { step: 'initialize', name: `countQueries${++readers}` },
    );
    return { reader: new DynamoDbAuditLog(documents, table.tableName, bounds), counter };
  }

  it('stops a filtered read at its bound with a short page and a resume point, and pages on to the rest', async () => {
    const { reader, counter } = countingReader({ pages: 3, items: 12 });

    const pages = [];
    const queriesPerPage = [];
    let after: string | undefined;
    do {
      const before = counter.queries;
      const page = await reader.auditEvents(accountId, { action: 'keep', limit: 5, ...(after ? { after } : {}) });
      pages.push(page);
      queriesPerPage.push(counter.queries - before);
      after = page.more ? (page.resumeAfter ?? `${page.events.at(-1)!.at}#${page.events.at(-1)!.eventId}`) : undefined;
    } while (after);

    expect(pages[0]).toEqual({ events: [], more: true, resumeAfter: expect.stringMatching(/#evt-/) });
    expect(Math.max(...queriesPerPage)).toBeLessThanOrEqual(3);
    expect(pages.flatMap((p) => p.events.map((e) => e.eventId))).toEqual(['evt-01', 'evt-00']);
  });

  it('reads at most AUDIT_READ_BOUNDS by default', async () => {
    const { reader, counter } = countingReader(AUDIT_READ_BOUNDS);

    const page = await reader.auditEvents(accountId, { action: 'keep', limit: 1 });

    expect(page.events.map((e) => e.eventId)).toEqual(['evt-01']);
    expect(counter.queries).toBeLessThanOrEqual(AUDIT_READ_BOUNDS.pages);
  });
});
