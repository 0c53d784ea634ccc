/**
 * The user index and the reseller records on DynamoDB Local (a table of its own): an account's
 * users in one Query, an e-mail's accounts on gsi1, and the Cognito directory over the real index
 * (Cognito itself has no local server: its client is aws-sdk-client-mock, here also the fault a
 * half-done invitation needs).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoUserDirectory } from '#lambdas/adapters/cognito-user-directory';
import { DynamoDbResellers } from '#lambdas/adapters/dynamodb-resellers';
import { DynamoDbUserIndex } from '#lambdas/adapters/dynamodb-user-index';
import { findAccountsByUserEmail } from '#lambdas/core/accounts/user-index';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';

jest.setTimeout(30_000);

let table: LicensingTable;
const sent: string[] = [];

beforeAll(async () => {
  table = await createLicensingTable(`user-index-${process.pid}-${Date.now()}`);
  table.documents.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
});

afterAll(async () => {
  await table?.drop();
});

const user = (accountId: string, userId: string, email: string) =>
  ({ accountId, userId, username: userId, email, status: 'active', role: 'admin' }) as const;

describe('DynamoDbUserIndex', () => {
  it("lists an account's users in one Query, finds an e-mail's accounts, and deletes", async () => {
    const index = new DynamoDbUserIndex(table.documents, table.tableName);
    await index.put(user('acc_one0000001', 'u1', 'ann@example.com'));
    await index.put(user('acc_one0000001', 'u2', 'bob@example.com'));
    await index.put(user('acc_two0000002', 'u3', 'ann@example.com'));
    sent.length = 0;

    const users = await index.listByAccount('acc_one0000001');

    expect(sent).toEqual(['QueryCommand']);
    expect(users.map((u) => u.email).sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect((await findAccountsByUserEmail(index, ' Ann@Example.com ')).map((a) => a.accountId).sort()).toEqual([
      'acc_one0000001',
      'acc_two0000002',
    ]);
    await index.delete('acc_one0000001', 'u2');
    expect(await index.get('acc_one0000001', 'u2')).toBeNull();
  });
});

describe('CognitoUserDirectory over the real index', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  afterAll(() => cognito.restore());

  it('repairs a half-done invitation by the retry: the user is indexed once, listed without ListUsers', async () => {
    const index = new DynamoDbUserIndex(table.documents, table.tableName);
    const directory = new CognitoUserDirectory(
      new CognitoIdentityProviderClient({ region: 'eu-central-1' }),
      'pool',
      index,
    );
    const invitee = {
      Username: 'sub-9',
      UserStatus: 'FORCE_CHANGE_PASSWORD' as const,
      UserAttributes: [
        { Name: 'sub', Value: 'sub-9' },
        { Name: 'email', Value: 'ceo@customer.example' },
        { Name: 'custom:accountId', Value: 'acc_three00003' },
      ],
    };
    cognito
      .on(AdminGetUserCommand)
      .rejectsOnce(new UserNotFoundException({ message: 'no', $metadata: {} }))
      .resolves(invitee);
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: 'sub-9', UserStatus: 'FORCE_CHANGE_PASSWORD' } });
    cognito
      .on(AdminAddUserToGroupCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }))
      .resolves({});

    await expect(directory.invite('acc_three00003', 'ceo@customer.example')).rejects.toThrow('Rate exceeded');
    const retry = await directory.invite('acc_three00003', 'ceo@customer.example');
    sent.length = 0;
    const listed = await directory.list('acc_three00003');

    expect(retry).toMatchObject({ invited: true, user: { userId: 'sub-9', status: 'invited' } });
    expect(listed).toEqual([{ userId: 'sub-9', email: 'ceo@customer.example', status: 'invited' }]);
    expect(sent).toEqual(['QueryCommand']);
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
  });
});

describe('DynamoDbResellers', () => {
  it('keeps one application per person, lists by status and approves', async () => {
    const resellers = new DynamoDbResellers(table.documents, table.tableName);
    const application = {
      resellerId: 'res-int-1',
      companyName: 'Partner',
      country: 'DE',
      status: 'pending' as const,
      applicantSub: 'sub-partner',
      createdAt: '2026-12-01T00:00:00.000Z',
    };

    await resellers.apply(application);
    const again = await resellers.apply({ ...application, resellerId: 'res-int-2' });
    const pending = await resellers.listByStatus('pending');
    await resellers.approve('res-int-1', '2026-12-02T00:00:00.000Z');

    expect(again).toEqual(application);
    expect(pending.map((r) => r.resellerId)).toEqual(['res-int-1']);
    expect(await resellers.byApplicant('sub-partner')).toMatchObject({
      status: 'approved',
      approvedAt: '2026-12-02T00:00:00.000Z',
    });
    expect(await resellers.listByStatus('pending')).toEqual([]);
    expect(await resellers.isKnownReseller('res-int-1')).toBe(true);
    expect(await resellers.isKnownReseller('res-int-2')).toBe(false);
  });
});
