/**
 * The demo data of a fresh data dir, created through the real API with a back-office token as a
 * user would: one EU customer (sold by reseller res-demo) and one US customer, each with
 * licences and an activation key. Any non-2xx answer fails with its route and status.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RegionKey } from './assembly';

export interface SeedAccount {
  readonly accountId: string;
  readonly region: RegionKey;
  readonly activationKey: string;
  readonly activationKeyExpiresAt?: string;
  readonly resellerId?: string;
}

export interface SeedResult {
  readonly accounts: readonly SeedAccount[];
  readonly resellers: readonly { readonly resellerId: string }[];
}

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

export const demoResellerId = 'res-demo';

/**
 * A reseller's record, approved, as the reseller store keeps it (lambdas/adapters/dynamodb-resellers.ts):
 * an order naming an unknown reseller is refused. For the demo reseller, whose application no demo
 * person made, and for tests that need a reseller without a person applying.
 */
export async function writeApprovedReseller(
  dynamodb: DynamoDBClient,
  tableName: string,
  resellerId: string,
  now = new Date(),
): Promise<void> {
  const createdAt = now.toISOString();
  await dynamodb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: marshall({
        pk: `RESELLER#${resellerId}`,
        sk: 'META',
        type: 'reseller',
        gsi1pk: 'RESELLERS#approved',
        gsi1sk: `${createdAt}#${resellerId}`,
        resellerId,
        companyName: resellerId === demoResellerId ? 'Demo Reseller' : `Reseller ${resellerId}`,
        country: 'DE',
        status: 'approved',
        applicantSub: `demo-${resellerId}`,
        createdAt,
        approvedAt: createdAt,
      }),
    }),
  );
}

/** The licensing table's name in the local cloud's resources (one table: the global table). */
export const licensingTableOf = (resources: Readonly<Record<string, string>>): string | undefined =>
  Object.entries(resources).find(([logicalId]) => logicalId.startsWith('LicensingTable'))?.[1];

async function call(
  api: string,
  method: string,
  path: string,
  token: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new SeedError(`demo seed: ${method} ${path} (${api}) answered ${response.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SeedError(
      `demo seed: ${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
}

const stringField = (body: Record<string, unknown>, field: string, route: string): string => {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0)
    throw new SeedError(`demo seed: ${route} answered without ${field}: ${JSON.stringify(body)}`);
  return value;
};

export async function seedDemo(
  apis: Record<RegionKey, string>,
  opsToken: string,
  now = new Date(),
): Promise<SeedResult> {
  const inOneYear = new Date(now.getTime() + 365 * 24 * 3600 * 1000).toISOString();
  const customers: { region: RegionKey; name: string; resellerId?: string }[] = [
    { region: 'eu', name: 'Demo Customer EU', resellerId: demoResellerId },
    { region: 'us', name: 'Demo Customer US' },
  ];
  const accounts: SeedAccount[] = [];
  for (const customer of customers) {
    const api = apis[customer.region];
    const orderPath = `/v1/ops/orders/demo-order-${customer.region}-1`;
    const order = await call(api, 'PUT', orderPath, opsToken, {
      account: {
        create: {
          name: customer.name,
          region: customer.region,
          ...(customer.resellerId && { resellerId: customer.resellerId }),
        },
      },
      lines: [
        { product: 'attendant-console', quantity: 10, kind: 'perpetual', care: { level: 'gold', endsAt: inOneYear } },
        {
          product: 'call-recording',
          quantity: 5,
          kind: 'subscription',
          startsAt: now.toISOString(),
          endsAt: inOneYear,
        },
      ],
    });
    const accountId = stringField(order, 'accountId', `PUT ${orderPath}`);
    const keyPath = `/v1/accounts/${encodeURIComponent(accountId)}/activation-keys`;
    const key = await call(api, 'POST', keyPath, opsToken, {});
    accounts.push({
      accountId,
      region: customer.region,
      activationKey: stringField(key, 'activationKey', `POST ${keyPath}`),
      ...(typeof key['expiresAt'] === 'string' && { activationKeyExpiresAt: key['expiresAt'] }),
      ...(customer.resellerId && { resellerId: customer.resellerId }),
    });
  }
  return { accounts, resellers: [{ resellerId: demoResellerId }] };
}
