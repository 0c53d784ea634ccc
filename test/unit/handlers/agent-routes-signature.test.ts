/**
 * The installation routes judge everything that needs no key before any read (docs/security.md,
 * "Agent signatures"), and answer an unknown installation exactly as a bad signature.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { generateIdentityKeys, signRequest } from '#agent/sdk/signing';
import type { PresenceDeps } from '#lambdas/core/presence/deps';
import {
  activationBody,
  issueKey,
  licensingWorld,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';
import { activateInstallation } from '#lambdas/core/licensing/activate-installation';

// The composition roots, swapped for the in-memory world whose repository counts its reads.
let world: LicensingWorld;
jest.mock('#lambdas/shared/licensing-deps', () => ({
  ...jest.requireActual('#lambdas/shared/licensing-deps'),
  licensingDeps: () => world.deps,
}));
jest.mock('#lambdas/shared/poll-deps', () => ({ pollDeps: () => world.deps }));
jest.mock('#lambdas/shared/license-settings', () => ({ licenseSettings: () => world.settings }));
jest.mock('#lambdas/shared/agent-contact-deps', () => ({ agentContactDeps: () => world.deps }));
jest.mock('#lambdas/shared/presence-graph-deps', () => ({
  presenceGraphDeps: () =>
    ({
      licensing: {
        getInstallation: (id: string) => world.repo.getInstallation(id),
        getAccount: async () => null,
      },
    }) as unknown as PresenceDeps,
}));

import { handler as deactivate } from '#lambdas/handlers/deactivate';
import { handler as getLicense } from '#lambdas/handlers/get-license';
import { handler as ingestTelemetry } from '#lambdas/handlers/ingest-telemetry';
import { handler as presenceSnapshot } from '#lambdas/handlers/presence-snapshot';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
const UNKNOWN_ID = 'inst_unknown0000';
const BODY = '{"beats":[]}';

// the last column: the route reads eventually consistent, and a refusal again strongly (poll-license.ts)
const routes: [string, string, (id: string) => string, Handler, boolean][] = [
  ['GET', 'licence poll', (id) => `/v1/installations/${id}/license`, getLicense, true],
  ['DELETE', 'deactivation', (id) => `/v1/installations/${id}`, deactivate, false],
  ['POST', 'telemetry', (id) => `/v1/installations/${id}/telemetry`, ingestTelemetry, true],
  ['POST', 'presence snapshot', (id) => `/v1/installations/${id}/presence/snapshot`, presenceSnapshot, false],
];

let installationId: string;

beforeEach(async () => {
  world = await licensingWorld();
  const accountId = await seedAccount(world);
  const identity = await generateIdentityKeys();
  const { result } = await activateInstallation(
    world.deps,
    world.settings,
    activationBody(await issueKey(world, accountId), identity.publicJwk),
    identity.thumbprint,
  );
  installationId = result.installationId;
  world.repo.installationReads.length = 0;
});

/** An API Gateway event of a request signed as `keyid` with `key`, `tweak` applied after signing. */
async function agentEvent(
  method: string,
  path: string,
  signer: { keyid: string; key: KeyObject },
  tweak: { created?: Date; body?: string; unsigned?: boolean } = {},
): Promise<APIGatewayProxyEventV2> {
  const body = method === 'POST' ? BODY : undefined;
  const signed = tweak.unsigned
    ? {}
    : await signRequest(
        {
          method,
          url: `https://api.eu.ucx-cloud.test${path}`,
          headers: {},
          ...(body ? { body: new TextEncoder().encode(body) } : {}),
        },
        { keyid: signer.keyid, privateKey: signer.key },
        { created: tweak.created ?? new Date() },
      );
  const sent = tweak.body ?? body;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...signed },
    pathParameters: { id: path.split('/')[3] },
    ...(sent !== undefined ? { body: sent } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}

const context = { functionName: 'test', awsRequestId: 'req-1' } as Context;
async function send(handler: Handler, event: APIGatewayProxyEventV2) {
  const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, headers: result.headers, body: JSON.parse(String(result.body)) };
}

describe.each(routes)('%s %s', (method, _name, pathOf, handler, eventual) => {
  const stranger = () => ({ keyid: installationId, key: generateKeyPairSync('ed25519').privateKey });

  it.each([
    ['unsigned', { unsigned: true }],
    ['signed 10 minutes ago', { created: new Date(Date.now() - 600_000) }],
    ['signed 10 minutes ahead', { created: new Date(Date.now() + 600_000) }],
    ['with a body that does not match its Content-Digest', { body: '{"beats":[{}]}' }],
  ])('refuses a request %s with 401 and reads nothing', async (_case, tweak) => {
    const event = await agentEvent(method, pathOf(installationId), stranger(), tweak);

    const response = await send(handler, event);

    expect(response.status).toBe(401);
    expect(world.repo.installationReads).toEqual([]);
  });

  it("refuses installation A's valid signature on B's path with 401 and reads nothing", async () => {
    const a = await generateIdentityKeys();
    const event = await agentEvent(method, pathOf(installationId), { keyid: UNKNOWN_ID, key: a.privateKey });

    const response = await send(handler, event);

    expect(response.status).toBe(401);
    expect(world.repo.installationReads).toEqual([]);
  });

  it('answers an unknown installation exactly as a known one with a bad signature', async () => {
    const unknown = await agentEvent(method, pathOf(UNKNOWN_ID), { ...stranger(), keyid: UNKNOWN_ID });
    const forged = await agentEvent(method, pathOf(installationId), stranger());

    const [toUnknown, toKnown] = [await send(handler, unknown), await send(handler, forged)];

    expect({ ...toUnknown, body: { ...toUnknown.body, instance: undefined } }).toEqual({
      ...toKnown,
      body: { ...toKnown.body, instance: undefined },
    });
    expect(toKnown.status).toBe(401);
    expect(world.repo.installationReads.map((r) => [r.installationId, r.consistentRead])).toEqual(
      eventual
        ? [
            [UNKNOWN_ID, false],
            [UNKNOWN_ID, true],
            [installationId, false],
            [installationId, true],
          ]
        : [
            [UNKNOWN_ID, true],
            [installationId, true],
          ],
    );
  });
});
