/**
 * Faults a real server cannot produce (DynamoDB and Kinesis throttling, KMS outage), injected with
 * aws-sdk-client-mock into the one client a handler uses; everything else is the local cloud.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { ProvisionedThroughputExceededException, type KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { generateIdentityKeys } from '#agent/sdk/signing';
import {
  accountView,
  activatedAgent,
  api,
  call,
  newAccount,
  newActivationKey,
  opsToken,
  perpetual,
} from '#test/support/licensing-api';
import { invoke, localLambdaEnv, signedEvent } from '#test/support/in-process-lambda';
import { streamRowsOf } from '#test/support/telemetry-api';
import { validBeat } from '#test/support/telemetry-fixtures';

jest.setTimeout(60_000);

/** Loads handler modules fresh, with the given environment, so their module singletons are new. */
function load<T>(env: Record<string, string>, modules: () => T): T {
  Object.assign(process.env, env);
  let loaded!: T;
  jest.isolateModules(() => {
    loaded = modules();
  });
  return loaded;
}

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException',
    $metadata: {},
  });

describe('DynamoDB throttling during activation', () => {
  it('answers 503 with Retry-After and writes nothing: the key stays usable and the pool untouched', async () => {
    const accountId = await newAccount([perpetual('ivr', 3)]);
    const activationKey = await newActivationKey(accountId, { allocation: { ivr: 2 } });
    const { handler, documentClient } = load(localLambdaEnv(), () => ({
      handler: require('#lambdas/handlers/activate').handler,
      documentClient: require('#lambdas/adapters/aws-clients').dynamoDocumentClient() as DynamoDBDocumentClient,
    }));
    const identity = await generateIdentityKeys();
    const body = {
      activationKey,
      publicKey: identity.publicJwk,
      installation: { suiteVersion: '2025.2', nodes: ['n1'] },
    };

    // only the transaction is throttled; the reads before it reach DynamoDB Local
    const original = documentClient.send.bind(documentClient);
    const spy = jest.spyOn(documentClient, 'send').mockImplementation(async (command: unknown) => {
      // the handler's modules are its own instances (isolateModules): match the command by name
      if ((command as object).constructor.name === TransactWriteCommand.name) throw throttled();
      return original(command as never);
    });
    const refused = await invoke(
      handler,
      await signedEvent(
        'POST',
        '/v1/activations',
        'POST /v1/activations',
        {},
        { keyid: identity.thumbprint, privateKey: identity.privateKey },
        body,
      ),
    );
    spy.mockRestore();
    const retried = await invoke(
      handler,
      await signedEvent(
        'POST',
        '/v1/activations',
        'POST /v1/activations',
        {},
        { keyid: identity.thumbprint, privateKey: identity.privateKey },
        body,
      ),
    );

    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    expect(retried.statusCode).toBe(201);
    expect((await accountView(accountId)).products[0]).toMatchObject({ capacity: 3, allocated: 2, free: 1 });
  });
});

describe('Kinesis throttling during ingest', () => {
  it('answers 503 with Retry-After and puts nothing of the batch on the stream', async () => {
    const accountId = await newAccount([perpetual('ivr', 1)]);
    const { agent } = await activatedAgent(accountId);
    const { handler, kinesis } = load(localLambdaEnv(), () => ({
      handler: require('#lambdas/handlers/ingest-telemetry').handler,
      kinesis: require('#lambdas/adapters/kinesis-telemetry-stream').kinesisClient() as KinesisClient,
    }));
    const mock = mockClient(kinesis);
    // the handler's modules are its own instances (isolateModules): any command of this client
    mock.onAnyCommand().rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const beat = { ...validBeat('ucx.ivr'), id: randomUUID(), collectedAt: new Date().toISOString() };
    const path = `/v1/installations/${agent.keyid}/telemetry`;

    const res = await invoke(
      handler,
      await signedEvent(
        'POST',
        path,
        'POST /v1/installations/{id}/telemetry',
        { id: agent.keyid },
        { keyid: agent.keyid, privateKey: agent.privateKey },
        { beats: [beat] },
      ),
    );
    mock.restore();

    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toMatch(/^\d+$/);
    expect((await streamRowsOf(agent.keyid)).map((r) => r.beat_id)).not.toContain(beat.id);
  });
});

describe('KMS unavailable', () => {
  it('keeps serving polls from the stored signed licence', async () => {
    const accountId = await newAccount([perpetual('acd', 4)]);
    const { agent } = await activatedAgent(accountId);
    await call('PUT', `${api()}/v1/ops/orders/kms-${randomUUID()}`, {
      token: opsToken(),
      body: { account: { id: accountId }, lines: [perpetual('acd', 2)] },
    }); // the licence is now due for a re-sign, which needs the key
    // a closed local port as the KMS endpoint: even an unmocked call could never leave the machine
    const env = localLambdaEnv('eu', {
      SIGNING_KEY_REF: 'arn:aws:kms:eu-central-1:000000000000:key/unavailable',
      AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
    });
    const { handler, kms } = load(env, () => ({
      handler: require('#lambdas/handlers/get-license').handler,
      kms: require('@aws-sdk/client-kms').KMSClient as typeof KMSClient,
    }));
    const mock = mockClient(kms);
    mock
      .onAnyCommand()
      .rejects(Object.assign(new Error('KMS is unavailable'), { name: 'KMSInternalException', $metadata: {} }));
    const path = `/v1/installations/${agent.keyid}/license`;

    const res = await invoke(
      handler,
      await signedEvent(
        'GET',
        path,
        'GET /v1/installations/{id}/license',
        { id: agent.keyid },
        { keyid: agent.keyid, privateKey: agent.privateKey },
      ),
    );
    mock.restore();

    expect(res.statusCode).toBe(200);
    expect(mock.calls().length).toBeGreaterThan(0);
    expect(res.json.license.split('.')).toHaveLength(3);
  });
});
