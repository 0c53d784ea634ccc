/** Small helpers for integration tests that drive the licensing API of the local cloud like its users do. */
import { randomUUID } from 'node:crypto';
import { cloud, tokenFor } from '#test/support/local-cloud';
import { TestAgent } from '#test/support/agent-client';
import { localDynamoDb } from '#local/clients';
import { licensingTableOf, writeApprovedReseller } from '#local/seed';

export type RegionKey = 'eu' | 'us';

export const api = (region: RegionKey = 'eu') => cloud().regions[region].api;
export const opsToken = () => tokenFor({ groups: ['backoffice'] });

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: the body of whichever route a test called; its expect() asserts the shape
  json: any;
  text: string;
}

export async function call(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export const inOneYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString();

export function perpetual(product: string, quantity: number, care: 'basic' | 'gold' | 'platinum' = 'gold') {
  return { product, quantity, kind: 'perpetual', care: { level: care, endsAt: inOneYear() } };
}

const approvedResellers = new Set<string>();

/**
 * Approves a reseller as the back office would (its record, as the reseller store writes it), so an
 * order may name it: an order naming an unknown reseller is refused.
 */
export async function approvedReseller(resellerId: string): Promise<void> {
  if (approvedResellers.has(resellerId)) return;
  const eu = cloud().regions.eu;
  const table = licensingTableOf(eu.resources);
  if (!table) throw new Error('the local cloud names no licensing table');
  await writeApprovedReseller(localDynamoDb(eu.endpoints.dynamodb), table, resellerId);
  approvedResellers.add(resellerId);
}

/** Creates a fresh Smart Account through a back-office order sent to its home region; returns its id. */
export async function newAccount(
  lines: unknown[] = [perpetual('attendant-console', 10)],
  options: { region?: RegionKey; resellerId?: string } = {},
): Promise<string> {
  if (options.resellerId) await approvedReseller(options.resellerId);
  const res = await call('PUT', `${api(options.region)}/v1/ops/orders/test-${randomUUID()}`, {
    token: opsToken(),
    body: {
      account: {
        create: {
          name: 'Integration Test Customer',
          region: options.region ?? 'eu',
          ...(options.resellerId ? { resellerId: options.resellerId } : {}),
        },
      },
      lines,
    },
  });
  if (res.status !== 201) throw new Error(`order failed: ${res.status} ${res.text}`);
  return res.json.accountId as string;
}

export async function accountView(accountId: string) {
  const res = await call('GET', `${api()}/v1/accounts/${accountId}`, { token: opsToken() });
  if (res.status !== 200) throw new Error(`account read failed: ${res.status} ${res.text}`);
  return res.json;
}

/** Licensing writes are served in the account's home region: a 421 is followed there once, as a client does. */
export async function newActivationKey(accountId: string, body: unknown = {}): Promise<string> {
  const path = `/v1/accounts/${accountId}/activation-keys`;
  let res = await call('POST', `${api()}${path}`, { token: opsToken(), body });
  if (res.status === 421) res = await call('POST', `${res.json.homeEndpoint}${path}`, { token: opsToken(), body });
  if (res.status !== 201) throw new Error(`activation key failed: ${res.status} ${res.text}`);
  return res.json.activationKey as string;
}

export function activationBody(agent: TestAgent, activationKey: string) {
  return {
    activationKey,
    publicKey: agent.publicJwk,
    installation: { suiteVersion: '2025.2.1', nodes: ['ucx-node-1'] },
  };
}

/** A new agent activated on a fresh key of the account; its keyid is switched to the installation id. */
export async function activatedAgent(accountId: string, keyBody: unknown = {}, region: RegionKey = 'eu') {
  const agent = await TestAgent.create();
  const key = await newActivationKey(accountId, keyBody);
  const res = await agent.request(api(region), 'POST', '/v1/activations', activationBody(agent, key));
  if (res.status !== 201) throw new Error(`activation failed: ${res.status} ${res.text}`);
  agent.keyid = res.json.installationId;
  return { agent, activation: res.json };
}

/** Asserts an RFC 9457 problem with the status and, when given, an error naming `path`. */
export function expectProblem(res: JsonResponse, status: number, path?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(res.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  if (path !== undefined) {
    expect(res.json.errors?.map((e: { path: string }) => e.path)).toContain(path);
  }
}
