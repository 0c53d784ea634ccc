/**
 * The account view's repair on the local cloud: a switch-off whose copies a writer did not finish
 * (the state such a writer leaves, written here: the marker, the installation's older copy) is
 * not yet seen by the installation's telemetry; the 5-minute schedule's run copies it, and the
 * next post is refused.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDb } from '#local/clients';
import { activatedAgent, api, call, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { cloud } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';
import { validBeat } from '#test/support/telemetry-fixtures';

jest.setTimeout(60_000);

const eu = () => cloud().regions.eu;
const resourceStartingWith = (prefix: string) => {
  const ids = Object.keys(eu().resources).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${prefix}…, found [${ids.join(', ')}]`);
  return ids[0]!;
};
const beats = () => ({ beats: [{ ...validBeat('ucx.ivr'), id: randomUUID(), collectedAt: new Date().toISOString() }] });

describe('the account view repair schedule', () => {
  const documents = DynamoDBDocumentClient.from(localDynamoDb(eu().endpoints.dynamodb));
  afterAll(() => documents.destroy());
  const table = () => eu().resources[resourceStartingWith('LicensingTable')]!;
  const item = async (pk: string, sk: string) =>
    (await documents.send(new GetCommand({ TableName: table(), Key: { pk, sk }, ConsistentRead: true }))).Item;

  it('copies a switch-off a writer left owed within its run, and the next telemetry post is refused', async () => {
    // Arrange: the switch committed, then the copy put back as a writer that stopped short leaves it
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const { agent } = await activatedAgent(accountId);
    const installationId = agent.keyid;
    const before = await item(`INST#${installationId}`, 'ACCT');
    const off = await call('PATCH', `${api()}/v1/accounts/${accountId}/telemetry`, {
      token: opsToken(),
      body: { enabled: false },
    });
    await documents.send(new PutCommand({ TableName: table(), Item: before! }));
    await documents.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: 'ACCTVIEW_PENDING', sk: accountId, accountId, at: new Date().toISOString(), token: 'stopped' },
      }),
    );
    const whileOwed = await postBeats(agent, beats());

    // Act
    const run = await fetch(`${api()}/local/schedules/${resourceStartingWith('AccountViewRepairSchedule')}/run`, {
      method: 'POST',
    });
    const ran = (await run.json()) as { error?: unknown; result?: unknown };
    const afterRun = await postBeats(agent, beats());

    // Assert
    expect(off.status).toBe(200);
    expect(before).toMatchObject({ telemetryEnabled: true });
    expect(whileOwed.status).toBe(202);
    expect(run.status).toBe(200);
    expect(ran.error).toBeUndefined();
    expect(ran.result).toEqual({ job: 'account-views' });
    expect(await item(`INST#${installationId}`, 'ACCT')).toMatchObject({ telemetryEnabled: false });
    expect(await item('ACCTVIEW_PENDING', accountId)).toBeUndefined();
    expect(afterRun.status).toBe(403);
  });
});
