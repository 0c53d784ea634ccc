/**
 * The licensing writers' scoped grants (docs/security.md) against what the functions really send:
 * each handler runs in-process against the local cloud's DynamoDB Local, its client's commands are
 * recorded on their way there, and each item access is checked against the function's LeadingKeys
 * scope as IAM would check it in AWS (the local cloud does not evaluate IAM).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { functionSpecs, tableItemScopeOf, type FunctionName } from '#lib/routes';
import type { Principal } from '#lambdas/core/licensing/access';
import { activatedAgent, approvedReseller, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { lambdaContext, localLambdaEnv, signedEvent } from '#test/support/in-process-lambda';
import { userEvent } from '#test/support/user-events';

jest.setTimeout(120_000);

type Item = Record<string, unknown>;
interface Access {
  readonly action: string;
  readonly pk: string;
}

/** The IAM item actions and partition keys of one command, as DynamoDB authorises them. */
function accessesOf(command: { constructor: { name: string }; input: Item }): Access[] {
  const input = command.input;
  const pkOf = (item: unknown) => String((item as Item | undefined)?.pk);
  switch (command.constructor.name) {
    case 'GetCommand':
      return [{ action: 'dynamodb:GetItem', pk: pkOf(input.Key) }];
    case 'PutCommand':
      return [{ action: 'dynamodb:PutItem', pk: pkOf(input.Item) }];
    case 'UpdateCommand':
      return [{ action: 'dynamodb:UpdateItem', pk: pkOf(input.Key) }];
    case 'DeleteCommand':
      return [{ action: 'dynamodb:DeleteItem', pk: pkOf(input.Key) }];
    case 'QueryCommand': {
      if (input.IndexName) return [{ action: `dynamodb:Query:index/${String(input.IndexName)}`, pk: '' }];
      const placeholder = /\bpk\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression))?.[1] ?? '';
      return [{ action: 'dynamodb:Query', pk: String((input.ExpressionAttributeValues as Item)[placeholder]) }];
    }
    case 'BatchGetCommand':
      return Object.values(input.RequestItems as Record<string, { Keys: Item[] }>).flatMap((r) =>
        r.Keys.map((k) => ({ action: 'dynamodb:BatchGetItem', pk: pkOf(k) })),
      );
    case 'BatchWriteCommand':
      return Object.values(input.RequestItems as Record<string, Item[]>).flatMap((requests) =>
        requests.map((r) => ({
          action: 'dynamodb:BatchWriteItem',
          pk: pkOf((r.PutRequest as Item | undefined)?.Item ?? (r.DeleteRequest as Item | undefined)?.Key),
        })),
      );
    case 'TransactWriteCommand':
      return (input.TransactItems as Item[]).map((t) => {
        if (t.Put) return { action: 'dynamodb:PutItem', pk: pkOf((t.Put as Item).Item) };
        if (t.Update) return { action: 'dynamodb:UpdateItem', pk: pkOf((t.Update as Item).Key) };
        if (t.Delete) return { action: 'dynamodb:DeleteItem', pk: pkOf((t.Delete as Item).Key) };
        return { action: 'dynamodb:ConditionCheckItem', pk: pkOf((t.ConditionCheck as Item).Key) };
      });
    case 'ScanCommand':
      return [{ action: 'dynamodb:Scan', pk: '' }];
    default:
      return [{ action: `unknown:${command.constructor.name}`, pk: '' }];
  }
}

const writeActions = new Set([
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]);
const like = (pattern: string, value: string) =>
  pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;

/** The accesses the function's scope refuses, as `action pk` lines (empty when IAM would allow all). */
function refusedFor(name: FunctionName, accesses: readonly Access[]): string[] {
  const scope = tableItemScopeOf(functionSpecs[name]);
  if (!scope) throw new Error(`${name} has no tableItems`);
  const reads = [...scope.reads, ...scope.writes];
  return accesses
    .filter(({ action, pk }) => {
      if (action === 'dynamodb:Scan') return !scope.scan;
      if (action.startsWith('dynamodb:Query:index/')) return !scope.indexes?.includes(action.split('/')[1]!);
      const allowed = writeActions.has(action) ? scope.writes : reads;
      return !allowed.some((pattern) => like(pattern, pk));
    })
    .map(({ action, pk }) => `${action} ${pk}`);
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: typeof lambdaContext,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A handler module loaded fresh, with the accesses its DynamoDB client sends (passed through unchanged). */
function recorded(entry: string): { handler: Handler; accesses: Access[] } {
  Object.assign(process.env, localLambdaEnv());
  let loaded!: { handler: Handler; client: DynamoDBDocumentClient };
  jest.isolateModules(() => {
    loaded = {
      handler: require(`#lambdas/handlers/${entry}`).handler,
      client: require('#lambdas/adapters/aws-clients').dynamoDocumentClient(),
    };
  });
  const accesses: Access[] = [];
  const send = loaded.client.send.bind(loaded.client);
  jest.spyOn(loaded.client, 'send').mockImplementation(((command: never, options?: never) => {
    accesses.push(...accessesOf(command));
    return send(command, options);
  }) as never);
  return { handler: loaded.handler, accesses };
}

const run = async (handler: Handler, event: APIGatewayProxyEventV2) => {
  const answer = await handler(event, lambdaContext);
  return { status: answer.statusCode, body: answer.body ? JSON.parse(answer.body) : undefined };
};

describe('the scoped licensing writers, as they run', () => {
  let accountId: string;
  let admin: Principal;

  beforeAll(async () => {
    accountId = await newAccount([perpetual('ivr', 10)]);
    admin = { role: 'customer', sub: 'grants-admin', accountId };
  });

  it('activate, then the poll, then the agent deactivation stay within their partitions', async () => {
    const identity = await generateIdentityKeys();
    const activationKey = await newActivationKey(accountId, { allocation: { ivr: 1 } });
    const activate = recorded('activate');
    const poll = recorded('get-license');
    const deactivate = recorded('deactivate');

    const activated = await run(
      activate.handler,
      await signedEvent(
        'POST',
        '/v1/activations',
        'POST /v1/activations',
        {},
        { keyid: identity.thumbprint, privateKey: identity.privateKey },
        { activationKey, publicKey: identity.publicJwk, installation: { suiteVersion: '2025.2', nodes: ['n1'] } },
      ),
    );
    const id = activated.body.installationId as string;
    const agent = { keyid: id, privateKey: identity.privateKey };
    const polled = await run(
      poll.handler,
      await signedEvent('GET', `/v1/installations/${id}/license`, 'GET /v1/installations/{id}/license', { id }, agent),
    );
    const deactivated = await run(
      deactivate.handler,
      await signedEvent('DELETE', `/v1/installations/${id}`, 'DELETE /v1/installations/{id}', { id }, agent),
    );

    expect([activated.status, polled.status, deactivated.status]).toEqual([201, 200, 204]);
    expect(activate.accesses.some((a) => writeActions.has(a.action))).toBe(true);
    expect(poll.accesses.length).toBeGreaterThan(0);
    expect(refusedFor('activate', activate.accesses)).toEqual([]);
    expect(refusedFor('getLicense', poll.accesses)).toEqual([]);
    expect(refusedFor('deactivate', deactivate.accesses)).toEqual([]);
  });

  it("the portal's key, allocation, telemetry, stale-release and deactivation routes stay within theirs", async () => {
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const installationId = agent.keyid;
    const onAccount = { accountId };
    const onInstallation = { accountId, installationId };
    const key = recorded('create-activation-key');
    const allocation = recorded('change-allocation');
    const telemetry = recorded('set-telemetry');
    const staleRelease = recorded('set-stale-release');
    const deactivation = recorded('deactivate-account-installation');
    const accountPath = `/v1/accounts/${accountId}`;

    const answers = [
      await run(
        key.handler,
        userEvent(admin, { path: `${accountPath}/activation-keys`, pathParameters: onAccount, body: {} }),
      ),
      await run(
        allocation.handler,
        userEvent(admin, {
          path: `${accountPath}/installations/${installationId}`,
          pathParameters: onInstallation,
          body: { allocation: { ivr: 2 } },
        }),
      ),
      await run(
        telemetry.handler,
        userEvent(admin, { path: `${accountPath}/telemetry`, pathParameters: onAccount, body: { enabled: false } }),
      ),
      await run(
        staleRelease.handler,
        userEvent(admin, {
          path: `${accountPath}/stale-release`,
          pathParameters: onAccount,
          body: { enabled: true, afterDays: 60 },
        }),
      ),
      await run(
        deactivation.handler,
        userEvent(admin, { path: `${accountPath}/installations/${installationId}`, pathParameters: onInstallation }),
      ),
    ];

    expect(answers.map((a) => a.status)).toEqual([201, 200, 200, 200, 204]);
    expect(refusedFor('createActivationKey', key.accesses)).toEqual([]);
    expect(refusedFor('changeAllocation', allocation.accesses)).toEqual([]);
    expect(refusedFor('setTelemetry', telemetry.accesses)).toEqual([]);
    expect(refusedFor('setStaleRelease', staleRelease.accesses)).toEqual([]);
    expect(refusedFor('deactivateAccountInstallation', deactivation.accesses)).toEqual([]);
  });

  it("the back office's orders, a new reseller's account and a top-up, stay within theirs", async () => {
    await approvedReseller('res-grants');
    const orders = recorded('put-order');
    const backOffice: Principal = { role: 'backoffice', sub: 'grants-ops' };
    const deposit = (orderId: string, account: unknown) =>
      run(
        orders.handler,
        userEvent(backOffice, {
          path: `/v1/ops/orders/${orderId}`,
          pathParameters: { orderId },
          body: { account, lines: [perpetual('ivr', 2)] },
        }),
      );

    const created = await deposit(`grants-${randomUUID()}`, {
      create: { name: 'Grants Customer', region: 'eu', resellerId: 'res-grants' },
    });
    const toppedUp = await deposit(`grants-${randomUUID()}`, { id: created.body.accountId });

    expect([created.status, toppedUp.status]).toEqual([201, 201]);
    expect(refusedFor('putOrder', orders.accesses)).toEqual([]);
  });

  it('the check can fail: the poll may not write the account', () => {
    expect(refusedFor('getLicense', [{ action: 'dynamodb:UpdateItem', pk: `ACC#${accountId}` }])).toEqual([
      `dynamodb:UpdateItem ACC#${accountId}`,
    ]);
  });
});
