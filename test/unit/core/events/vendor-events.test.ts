import { marshall } from '@aws-sdk/util-dynamodb';
import { vendorEventSchemas, vendorEventsOf } from '#lambdas/core/events/vendor-events';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import { auditItemsOf } from '#lambdas/adapters/eventbridge-vendor-events';

const audit = (action: string, details: Record<string, unknown>): AuditEvent => ({
  accountId: 'acc_abcdefgh12',
  at: '2026-03-02T09:00:00.000Z',
  eventId: 'evt_0001',
  actor: { kind: 'backoffice', id: 'sub-1' },
  action,
  details,
});

describe('vendorEventsOf', () => {
  it('makes an order that creates its account two events: Account Created, then Order Deposited', () => {
    const lines = [{ product: 'ivr', quantity: 2, kind: 'perpetual' }];

    const { events, skipped } = vendorEventsOf(
      audit('order.deposited', { orderId: 'PO-1', lines, accountCreated: true, region: 'us' }),
    );

    expect(skipped).toEqual([]);
    expect(events).toEqual([
      {
        source: 'ucx.accounts',
        detailType: 'Account Created',
        time: '2026-03-02T09:00:00.000Z',
        detail: expect.objectContaining({
          version: 1,
          eventId: 'evt_0001',
          origin: 'order',
          orderId: 'PO-1',
          region: 'us',
        }),
      },
      {
        source: 'ucx.licensing',
        detailType: 'Order Deposited',
        time: '2026-03-02T09:00:00.000Z',
        detail: {
          version: 1,
          eventId: 'evt_0001',
          accountId: 'acc_abcdefgh12',
          at: '2026-03-02T09:00:00.000Z',
          actor: { kind: 'backoffice', id: 'sub-1' },
          orderId: 'PO-1',
          accountCreated: true,
          lines,
        },
      },
    ]);
  });

  it.each([
    [
      'installation.activated',
      { installationId: 'inst_1', allocation: { ivr: 1 }, nodes: ['a'], suiteVersion: '14' },
      'Installation Activated',
    ],
    ['installation.deactivated', { installationId: 'inst_1', released: { ivr: 1 } }, 'Installation Deactivated'],
    ['account.created', { name: 'Fabrikam', region: 'eu', country: 'DE', origin: 'sign-up' }, 'Account Created'],
    ['account.closed', { eraseAfter: '2026-04-01T00:00:00.000Z', activeInstallations: 2 }, 'Account Closed'],
    ['terms.accepted', { version: 2 }, 'Terms Accepted'],
    ['terms.objected', { version: 2, reason: 'no' }, 'Terms Objected'],
    [
      'terms.silent-consent',
      { version: 2, effectiveAt: '2026-04-01T00:00:00.000Z', noticeSentAt: null },
      'Terms Silent Consent',
    ],
  ])('maps %s (details %j) to %s within its schema', (action, details, detailType) => {
    const { events } = vendorEventsOf(audit(action, details));

    expect(events.map((e) => e.detailType)).toEqual([detailType]);
    const schema = vendorEventSchemas[detailType as keyof typeof vendorEventSchemas].detail;
    expect(schema.safeParse(events[0]!.detail).success).toBe(true);
  });

  it('leaves out what the event does not document (a name, a reason, node names)', () => {
    const { events } = vendorEventsOf(audit('account.created', { name: 'Fabrikam', region: 'eu', country: 'DE' }));

    expect(events[0]!.detail).not.toHaveProperty('name');
    expect(events[0]!.detail).not.toHaveProperty('country');
  });

  it('publishes nothing for an action the vendor does not act on', () => {
    expect(vendorEventsOf(audit('installation.stale-notice', {})).events).toEqual([]);
  });

  it('skips and names an audit event that does not fit its schema', () => {
    const { events, skipped } = vendorEventsOf(audit('terms.accepted', {}));

    expect(events).toEqual([]);
    expect(skipped).toEqual([expect.stringMatching(/^Terms Accepted: termsVersion/)]);
  });
});

describe('auditItemsOf', () => {
  const item = { pk: 'AUDIT#acc_abcdefgh12', sk: 'x', type: 'audit', ...audit('terms.accepted', { version: 2 }) };

  it('finds the audit items of a transaction among its other writes', () => {
    const input = {
      TransactItems: [
        { Put: { TableName: 't', Item: marshall({ pk: 'ACC#1', sk: 'META', type: 'account' }) } },
        { Update: { TableName: 't', Key: marshall({ pk: 'x', sk: 'y' }) } },
        { Put: { TableName: 't', Item: marshall(item) } },
      ],
    };

    expect(auditItemsOf('TransactWriteItemsCommand', input)).toEqual([audit('terms.accepted', { version: 2 })]);
  });

  it('reads a single put and a batch write, and nothing of a read', () => {
    expect(auditItemsOf('PutItemCommand', { Item: marshall(item) })).toHaveLength(1);
    expect(
      auditItemsOf('BatchWriteItemCommand', { RequestItems: { t: [{ PutRequest: { Item: marshall(item) } }] } }),
    ).toHaveLength(1);
    expect(auditItemsOf('QueryCommand', { Item: marshall(item) })).toEqual([]);
  });
});

describe('docs/events.md', () => {
  it('documents every detail type with its source', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../../../docs/events.md', `file://${__filename}`), 'utf8');

    const missing = Object.entries(vendorEventSchemas).filter(
      ([detailType, spec]) => !doc.includes(`| \`${detailType}\` | \`${spec.source}\` |`),
    );

    expect(missing.map(([detailType]) => detailType)).toEqual([]);
  });
});
