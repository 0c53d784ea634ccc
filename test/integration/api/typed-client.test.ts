/**
 * A typed client from a generator no one here wrote: openapi-typescript turns the document the
 * local cloud serves into `api.d.ts`; a small program using it through openapi-fetch must
 * type-check (misuse must not), and, run against the local cloud, must get what the types and the
 * response schemas say: public documents, a back-office order and its account's routes, an agent
 * whose requests an openapi-fetch middleware signs, and problem+json errors.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as z from 'zod/mini';
import { accountUsersSchema } from '#lambdas/core/accounts/responses';
import {
  accountViewSchema,
  activationKeyResultSchema,
  activationResultSchema,
  auditPageSchema,
  jwksSchema,
  licenseResponseSchema,
  orderResultSchema,
  resellerAccountsSchema,
  telemetrySwitchSchema,
} from '#lambdas/core/licensing/responses';
import { problemSchema } from '#lambdas/core/problem-schema';
import {
  accountInstallationsHealthSchema,
  findingsSchema,
  supportInstallationsPageSchema,
} from '#lambdas/core/support/responses';
import { catalogueDocumentSchema, ingestResultSchema } from '#lambdas/core/telemetry/responses';
import { apiRoutes, operationNameOf } from '#lambdas/shared/api-routes';
import { findRepoRoot } from '#local/repo-root';
import { opsToken } from '#test/support/licensing-api';
import { cloud } from '#test/support/local-cloud';

jest.setTimeout(180_000);

/**
 * openapi-typescript's documented programmatic use, run as a developer runs it (real ESM). Its
 * `defaultNonNullable` (on by default) would make a request field with a default required
 * (openapi-ts/openapi-typescript#2012): a client of this API turns it off.
 */
const generateTypes = `
import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
const [input, output] = process.argv.slice(1);
const ast = await openapiTS(JSON.parse(readFileSync(input, 'utf8')), { defaultNonNullable: false });
writeFileSync(output, astToString(ast));
`;

/** The typed program: its calls, and the misuse the generated types must refuse. */
const clientProgram = `
import { randomUUID } from 'node:crypto';
import createClient, { type Middleware } from 'openapi-fetch';
import { contentDigest, generateIdentityKeys, signRequest, type SigningIdentity } from '#agent/sdk/signing';
import type { components, paths } from './api';

type Schemas = components['schemas'];
const [baseUrl, token, orderId] = process.argv.slice(2) as [string, string, string];
const api = createClient<paths>({ baseUrl });
const asOps = { authorization: \`Bearer \${token}\` };
const seen = (r: { response: Response; data?: unknown; error?: unknown }) => ({
  status: r.response.status,
  contentType: r.response.headers.get('content-type'),
  body: r.data ?? r.error ?? null,
});

const jwks = await api.GET('/.well-known/jwks.json');
const keys: Schemas['SigningKey'][] = jwks.data?.keys ?? [];

const catalogue = await api.GET('/v1/telemetry/catalogue');
const beatTypes: string[] = catalogue.data?.['x-ucx-beat-types'] ?? [];

const order: Schemas['OrderRequest'] = {
  account: { create: { name: 'Typed Client Customer', region: 'eu' } },
  lines: [{ product: 'ivr', quantity: 5, kind: 'perpetual' }],
};
const orderParams = { params: { path: { orderId } }, headers: asOps };
const deposited = await api.PUT('/v1/ops/orders/{orderId}', { ...orderParams, body: order });
const created: Schemas['Order'] | undefined = deposited.data;
const accountId = created?.accountId ?? '';
const again = await api.PUT('/v1/ops/orders/{orderId}', { ...orderParams, body: order });
const otherBody = await api.PUT('/v1/ops/orders/{orderId}', {
  ...orderParams,
  body: { ...order, lines: [{ product: 'ivr', quantity: 6, kind: 'perpetual' }] },
});

const account = await api.GET('/v1/accounts/{accountId}', { params: { path: { accountId } }, headers: asOps });
const pools: Schemas['ProductPool'][] = account.data?.products ?? [];
const inAccount = { params: { path: { accountId } }, headers: asOps };
const key = await api.POST('/v1/accounts/{accountId}/activation-keys', { ...inAccount, body: {} });

// The agent: its requests signed (RFC 9421) by a middleware, with the agent SDK
const agentKeys = await generateIdentityKeys();
const identity: SigningIdentity = { keyid: agentKeys.thumbprint, privateKey: agentKeys.privateKey };
const signing: Middleware = {
  async onRequest({ request }) {
    const body = new Uint8Array(await request.clone().arrayBuffer());
    const signed = await signRequest({ method: request.method, url: request.url, headers: {}, body }, identity);
    for (const [name, value] of Object.entries(signed)) request.headers.set(name, value);
    return request;
  },
};
const agent = createClient<paths>({ baseUrl });
agent.use(signing);
const digestOf = (body?: unknown) => ({
  'content-digest': contentDigest(new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body))),
});
const activationRequest: Schemas['ActivationRequest'] = {
  activationKey: key.data?.activationKey ?? '',
  publicKey: agentKeys.publicJwk,
  installation: { suiteVersion: '14.2.1', nodes: ['ucx-node-a'] },
};
const activated = await agent.POST('/v1/activations', {
  params: { header: digestOf(activationRequest) },
  body: activationRequest,
});
const activation: Schemas['Activation'] | undefined = activated.data;
const id = activation?.installationId ?? '';
identity.keyid = id;
const inInstallation = (body?: unknown) => ({ params: { path: { id }, header: digestOf(body) } });
const polled = await agent.GET('/v1/installations/{id}/license', inInstallation());
const etag = polled.response.headers.get('etag') ?? '';
const unchanged = await agent.GET('/v1/installations/{id}/license', {
  params: { path: { id }, header: { ...digestOf(), 'if-none-match': etag } },
});
const batch: Schemas['TelemetryBatch'] = {
  beats: [{ id: randomUUID(), type: 'hardware.virtualization', collectedAt: new Date().toISOString(), data: { isVirtual: true } }],
};
const ingested = await agent.POST('/v1/installations/{id}/telemetry', { ...inInstallation(batch), body: batch });
const receipt: Schemas['TelemetryReceipt'] | undefined = ingested.data;

const telemetrySwitch = await api.PATCH('/v1/accounts/{accountId}/telemetry', { ...inAccount, body: { enabled: false } });
const switchedOff = await agent.POST('/v1/installations/{id}/telemetry', { ...inInstallation(batch), body: batch });
const deactivated = await agent.DELETE('/v1/installations/{id}', inInstallation());
const gone = await agent.GET('/v1/installations/{id}/license', inInstallation());

const audit = await api.GET('/v1/accounts/{accountId}/audit', {
  params: { path: { accountId }, query: { limit: 10 } },
  headers: asOps,
});
const health = await api.GET('/v1/accounts/{accountId}/installations/health', inAccount);
const findings = await api.GET('/v1/accounts/{accountId}/findings', {
  params: { path: { accountId }, query: { status: 'all' } },
  headers: asOps,
});
const users = await api.GET('/v1/accounts/{accountId}/users', inAccount);
const resellerAccounts = await api.GET('/v1/resellers/{resellerId}/accounts', {
  params: { path: { resellerId: 'typed-client-reseller' } },
  headers: asOps,
});
const support = await api.GET('/v1/support/installations', { params: { query: { limit: 5 } }, headers: asOps });
// JSON or CSV, as the document says: a JSON page unless CSV was asked for
const page: Schemas['AuditPage'] | undefined = typeof audit.data === 'string' ? undefined : audit.data;
const actions: string[] = page?.events.map((event) => event.action) ?? [];
const malformed = await api.GET('/v1/accounts/{accountId}', {
  params: { path: { accountId: 'acc_NOT-AN-ID' } },
  headers: asOps,
});
const accountError: Schemas['Problem'] | Schemas['GatewayMessage'] | undefined = malformed.error;
const unknown = await api.GET('/v1/accounts/{accountId}', {
  params: { path: { accountId: 'acc_0000000000unknown' } },
  headers: asOps,
});
const noToken = await api.GET('/v1/accounts/{accountId}', { params: { path: { accountId } } });
const unsigned = await api.GET('/v1/installations/{id}/license', {
  params: { path: { id: 'inst_00000000unknown' }, header: { 'content-digest': 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:' } },
});

function refusedByTheTypes() {
  // @ts-expect-error an order needs its body
  void api.PUT('/v1/ops/orders/{orderId}', orderParams);
  // @ts-expect-error no such route
  void api.GET('/v1/no-such-route');
  // @ts-expect-error a signed route needs its Content-Digest
  void api.GET('/v1/installations/{id}/license', { params: { path: { id: 'inst_00000000' } } });
  // @ts-expect-error a quantity is a number
  const badLine: Schemas['OrderRequest']['lines'][number] = { product: 'ivr', quantity: '5', kind: 'perpetual' };
  // @ts-expect-error an account has no balance
  void account.data?.balance;
  return badLine;
}
void refusedByTheTypes;

console.log(JSON.stringify({
  keys: keys.length, beatTypes, pools, accountError,
  jwks: seen(jwks), catalogue: seen(catalogue), deposited: seen(deposited), again: seen(again),
  otherBody: seen(otherBody), account: seen(account), malformed: seen(malformed), unknown: seen(unknown),
  noToken: seen(noToken), unsigned: seen(unsigned), actions, accepted: receipt?.accepted ?? null,
  activated: seen(activated), polled: seen(polled), unchanged: seen(unchanged), ingested: seen(ingested),
  switchedOff: seen(switchedOff), deactivated: seen(deactivated), gone: seen(gone),
  key: seen(key), telemetrySwitch: seen(telemetrySwitch), audit: seen(audit), health: seen(health),
  findings: seen(findings), users: seen(users), resellerAccounts: seen(resellerAccounts), support: seen(support),
}));
`;

const seenSchema = z.object({ status: z.number(), contentType: z.nullable(z.string()), body: z.unknown() });
const outputSchema = z.object({
  keys: z.number(),
  beatTypes: z.array(z.string()),
  pools: z.array(z.unknown()),
  accountError: z.unknown(),
  jwks: seenSchema,
  catalogue: seenSchema,
  deposited: seenSchema,
  again: seenSchema,
  otherBody: seenSchema,
  account: seenSchema,
  malformed: seenSchema,
  unknown: seenSchema,
  noToken: seenSchema,
  unsigned: seenSchema,
  actions: z.array(z.string()),
  accepted: z.nullable(z.number()),
  activated: seenSchema,
  polled: seenSchema,
  unchanged: seenSchema,
  ingested: seenSchema,
  switchedOff: seenSchema,
  deactivated: seenSchema,
  gone: seenSchema,
  key: seenSchema,
  telemetrySwitch: seenSchema,
  audit: seenSchema,
  health: seenSchema,
  findings: seenSchema,
  users: seenSchema,
  resellerAccounts: seenSchema,
  support: seenSchema,
});

/** Parsing keeps only described fields: a body equal to its parse has none undescribed. */
function expectDescribed(schema: z.ZodMiniType, body: unknown): void {
  expect(schema.parse(body)).toEqual(body);
}

const repoRoot = findRepoRoot();
let dir: string;
let served: { servers: { url: string }[] };
let generated: string;

beforeAll(async () => {
  // Under the repository, so the program resolves openapi-fetch, tsx and @types/node from its node_modules.
  mkdirSync(join(repoRoot, '.local'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, '.local', 'typed-client-'));
  const response = await fetch(`${cloud().regions.eu.api}/v1/openapi.json`);
  expect(response.status).toBe(200);
  const text = await response.text();
  served = JSON.parse(text);
  writeFileSync(join(dir, 'openapi.json'), text);

  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', generateTypes, join(dir, 'openapi.json'), join(dir, 'api.d.ts')],
    { cwd: dir, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`openapi-typescript failed: ${run.stderr}`);
  generated = readFileSync(join(dir, 'api.d.ts'), 'utf8');
  writeFileSync(join(dir, 'client.ts'), clientProgram);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a client generated from the served OpenAPI document', () => {
  it('is served with the local regions as its servers, the serving region first', () => {
    expect(served.servers.map((server) => server.url)).toEqual([cloud().regions.eu.api, cloud().regions.us.api]);
  });

  it('has an operation for every route, named after its function', () => {
    const operations = generated.slice(generated.indexOf('export interface operations'));

    const missing = apiRoutes
      .map((route) => operationNameOf(route))
      .filter((name) => !operations.includes(`\n    ${name}: {`));

    expect(missing).toEqual([]);
  });

  it('type-checks a program that uses it through openapi-fetch, and refuses its misuse', () => {
    const program = ts.createProgram([join(dir, 'client.ts')], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
    });

    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

    expect(diagnostics).toEqual([]);
  });

  it('gets from the local cloud what the types and the response schemas say', () => {
    const orderId = `typed-${randomUUID()}`;

    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(dir, 'client.ts'), cloud().regions.eu.api, opsToken(), orderId],
      { cwd: repoRoot, encoding: 'utf8' },
    );

    expect(run.stderr).toBe('');
    const seen = outputSchema.parse(JSON.parse(run.stdout));
    // public documents
    expect(seen.jwks).toMatchObject({ status: 200, contentType: 'application/json' });
    expectDescribed(jwksSchema, seen.jwks.body);
    expect(seen.keys).toBe(2);
    expect(seen.catalogue.status).toBe(200);
    expectDescribed(catalogueDocumentSchema, seen.catalogue.body);
    expect(seen.beatTypes).toContain('ucx.suite');
    // a back-office order and the account it creates
    expect([seen.deposited.status, seen.again.status]).toEqual([201, 200]);
    expectDescribed(orderResultSchema, seen.deposited.body);
    expect(seen.again.body).toEqual(seen.deposited.body);
    expect(seen.account.status).toBe(200);
    expectDescribed(accountViewSchema, seen.account.body);
    expect(seen.pools).toEqual([
      {
        product: 'ivr',
        capacity: 5,
        allocated: 0,
        free: 5,
        kind: 'perpetual',
        entitlements: [expect.objectContaining({ product: 'ivr', kind: 'perpetual', quantity: 5, status: 'active' })],
      },
    ]);
    // the account's other routes, each answer as its schema describes it
    for (const [answer, status, schema] of [
      [seen.key, 201, activationKeyResultSchema],
      [seen.telemetrySwitch, 200, telemetrySwitchSchema],
      [seen.audit, 200, auditPageSchema],
      [seen.health, 200, accountInstallationsHealthSchema],
      [seen.findings, 200, findingsSchema],
      [seen.users, 200, accountUsersSchema],
      [seen.resellerAccounts, 200, resellerAccountsSchema],
      [seen.support, 200, supportInstallationsPageSchema],
    ] as const) {
      expect(answer.status).toBe(status);
      expectDescribed(schema, answer.body);
    }
    expect(seen.actions).toEqual([
      'installation.deactivated',
      'telemetry.disabled',
      'installation.activated',
      'activation-key.created',
      'order.deposited',
    ]);
    // the agent's routes, signed by an openapi-fetch middleware
    expect(seen.activated.status).toBe(201);
    expectDescribed(activationResultSchema, seen.activated.body);
    expect(seen.polled.status).toBe(200);
    expectDescribed(licenseResponseSchema, seen.polled.body);
    expect(seen.unchanged).toEqual({ status: 304, contentType: null, body: null });
    expect(seen.ingested.status).toBe(202);
    expectDescribed(ingestResultSchema, seen.ingested.body);
    expect(seen.accepted).toBe(1);
    expect(seen.deactivated).toEqual({ status: 204, contentType: null, body: null });
    // errors: problem+json from the service, API Gateway's own message for a missing token
    for (const [answer, status] of [
      [seen.otherBody, 409],
      [seen.malformed, 400],
      [seen.unknown, 404],
      [seen.unsigned, 401],
      [seen.switchedOff, 403],
      [seen.gone, 410],
    ] as const) {
      expect({ status: answer.status, contentType: answer.contentType }).toEqual({
        status,
        contentType: 'application/problem+json',
      });
      expectDescribed(problemSchema, answer.body);
    }
    expect(seen.accountError).toMatchObject({ status: 400, errors: [{ path: 'params.accountId' }] });
    expect(seen.noToken).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
  });
});
