/** Data survives a restart and --fresh wipes it (a second cloud on free ports, own temp dir). */
import { DynamoDBClient, GetItemCommand, PutItemCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloud, startCloudProcess, type CloudProcess } from '#test/support/local-cloud';

jest.setTimeout(180_000);

const dataDir = mkdtempSync(join(tmpdir(), 'ucx-local-restart-'));
let running: CloudProcess | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (fresh: boolean) => {
  running = await startCloudProcess({ dataDir, fresh, assemblyDir: cloud().assemblyDir });
  return running;
};

async function licensingTable(info: CloudProcess['info']) {
  const name = Object.entries(info.regions.eu.resources).find(([id]) => /licensing/i.test(id))?.[1];
  const client = new DynamoDBClient({
    endpoint: info.regions.eu.endpoints.dynamodb,
    region: info.regions.eu.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  const key = Object.fromEntries(
    (Table?.KeySchema ?? []).map((k) => [k.AttributeName!, { S: `restart-test-${k.KeyType}` }]),
  );
  return { client, name, key };
}

const jwksKids = async (info: CloudProcess['info']) =>
  ((await (await fetch(`${info.regions.eu.api}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys
    .map((k) => k.kid)
    .sort();

describe('local cloud restart', () => {
  it('keeps data and keys across a restart, and wipes them with --fresh', async () => {
    // Arrange
    const first = await start(true);
    const before = await licensingTable(first.info);
    await before.client.send(
      new PutItemCommand({ TableName: before.name, Item: { ...before.key, marker: { S: 'kept' } } }),
    );
    const kidsBefore = await jwksKids(first.info);
    await first.stop();

    // Act: restart on the same data dir
    const second = await start(false);
    const afterRestart = await licensingTable(second.info);
    const kept = await afterRestart.client.send(
      new GetItemCommand({ TableName: afterRestart.name, Key: afterRestart.key }),
    );
    const kidsAfterRestart = await jwksKids(second.info);
    await second.stop();
    // …and once more with --fresh
    const third = await start(true);
    const afterFresh = await licensingTable(third.info);
    const wiped = await afterFresh.client.send(new GetItemCommand({ TableName: afterFresh.name, Key: afterFresh.key }));
    const kidsAfterFresh = await jwksKids(third.info);
    await third.stop();

    // Assert
    expect(kept.Item?.['marker']).toEqual({ S: 'kept' });
    expect(kidsAfterRestart).toEqual(kidsBefore);
    expect(wiped.Item).toBeUndefined();
    expect(kidsAfterFresh).not.toEqual(kidsBefore);
  });
});
