/**
 * The OpenAPI 3.1 document of the public API, generated from the same zod schemas the handlers
 * validate with, so the document cannot drift from what the service accepts.
 */
import * as z from 'zod';
import { beatEnvelopeSchema } from '../core/telemetry/catalogue';
import { activationBodySchema } from '../core/licensing/activate-installation';
import { activationKeyBodySchema } from '../core/licensing/create-activation-key';
import { allocationChangeBodySchema } from '../core/licensing/change-allocation';
import { offlineActivationBodySchema } from '../core/licensing/offline-activation';
import { orderBodySchema } from '../core/licensing/deposit-order';
import { telemetrySwitchBodySchema } from '../core/licensing/set-telemetry';
import { acknowledgementBodySchema } from '../core/support/acknowledge-finding';
import { inviteBodySchema } from '../core/accounts/users';

/** The batch envelope; each type's `data` is described by GET /v1/telemetry/catalogue. */
const telemetryBatchSchema = z.object({ beats: z.array(beatEnvelopeSchema).min(1).max(500) });

type Auth = 'agent' | 'user' | 'public';
interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  responses: Record<string, string>;
}

const problems = {
  '400': 'Invalid input: problem+json with `errors: [{ path, message }]`',
  '401': 'Missing, malformed or stale signature / token',
  '403': 'Not allowed',
};

export const operations: readonly Operation[] = [
  {
    method: 'post',
    path: '/v1/activations',
    summary: 'Activate an installation with an activation key (signed with the new key, keyid = JWK thumbprint)',
    auth: 'agent',
    body: activationBodySchema,
    responses: {
      '201': 'Activated: { installationId, accountId, region, license, nextPollSeconds, telemetry }',
      '200': 'Same key and public key again: the same installation',
      ...problems,
      '403': 'Unknown, expired or used activation key',
      '409': 'No free capacity for the key’s allocation',
      '421': 'Account homed in the other region: { region, endpoint }',
    },
  },
  {
    method: 'get',
    path: '/v1/installations/{id}/license',
    summary: 'Poll for the signed licence (ETag / If-None-Match)',
    auth: 'agent',
    responses: {
      '200': '{ license, nextPollSeconds } with ETag',
      '304': 'Unchanged',
      ...problems,
      '410': 'Deactivated',
    },
  },
  {
    method: 'delete',
    path: '/v1/installations/{id}',
    summary: 'Deactivate: give the licences back to the pool',
    auth: 'agent',
    responses: { '204': 'Deactivated (again: 204)', ...problems },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that sign licences',
    auth: 'public',
    responses: { '200': 'JWKS' },
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This document',
    auth: 'public',
    responses: { '200': 'OpenAPI 3.1' },
  },
  {
    method: 'put',
    path: '/v1/ops/orders/{orderId}',
    summary: 'Deposit a processed order into a Smart Account (back office)',
    auth: 'user',
    body: orderBodySchema,
    responses: {
      '201':
        '{ orderId, accountId, accountCreated, lines, adminInvited?, depositedAt }; with `admin: { email }` and `account.create` the new account’s first administrator is invited (the e-mail is kept by the user directory only)',
      '200': 'Same id and body again (a failed invitation is sent again)',
      ...problems,
      '404': 'Unknown account',
      '409': 'Same id, other body',
    },
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}',
    summary: 'A Smart Account: products, capacity, allocation, terms, installations',
    auth: 'user',
    responses: {
      '200':
        'The account: { accountId, name, region, resellerId?, telemetry, products, installations: [{ installationId, status, allocation, nodes, suiteVersion, activatedAt, deactivatedAt?, lastPollAt }] }; `lastPollAt` is recorded at most once an hour (null: no poll recorded, or deactivated)',
      ...problems,
      '404': 'Unknown account',
    },
  },
  {
    method: 'post',
    path: '/v1/accounts/{accountId}/activation-keys',
    summary: 'Create a single-use activation key (default: all free capacity)',
    auth: 'user',
    body: activationKeyBodySchema,
    responses: { '201': '{ activationKey, expiresAt, allocation }', ...problems, '409': 'Not enough free capacity' },
  },
  {
    method: 'post',
    path: '/v1/accounts/{accountId}/offline-activations',
    summary:
      'Offline activation: the agent’s signed request file in (Ed25519 over its canonical JSON), the response file out (customer, its reseller, back office)',
    auth: 'user',
    body: offlineActivationBodySchema,
    responses: {
      '201': 'Response file: { installationId, accountId, region, license, jwks, nextPollSeconds, telemetry }',
      '200': 'The same request file again: the same installation',
      ...problems,
      '401': 'The request file signature or keyid does not match its public key',
      '403': 'Unknown, expired or used activation key, or a key of another account',
      '409': 'No free capacity for the key’s allocation',
      '421': 'Account homed in the other region: { region, endpoint }',
    },
  },
  {
    method: 'patch',
    path: '/v1/accounts/{accountId}/telemetry',
    summary: 'Switch telemetry on or off for the account',
    auth: 'user',
    body: telemetrySwitchBodySchema,
    responses: { '200': '{ enabled }', ...problems },
  },
  {
    method: 'patch',
    path: '/v1/accounts/{accountId}/installations/{installationId}',
    summary:
      'Change an active installation’s allocation (customer, its reseller, back office): the body is its new full allocation, a product left out or at 0 goes back to the pool; raising takes free capacity only. The installation’s next poll gets the new licence',
    auth: 'user',
    body: allocationChangeBodySchema,
    responses: {
      '200': '{ installationId, allocation }',
      ...problems,
      '400':
        'Invalid input or a product the account holds no licences of: `errors: [{ path: "allocation.<product>", message }]`',
      '404': 'Unknown account, or no such installation of it',
      '409':
        'Not enough free capacity (`errors: [{ path: "allocation.<product>", message }]` saying how much is free), or the installation is deactivated',
      '503': 'The account is changing right now: retry after Retry-After',
    },
  },
  {
    method: 'delete',
    path: '/v1/accounts/{accountId}/installations/{installationId}',
    summary:
      'Deactivate an installation from the portal (customer, its reseller, back office): its allocation goes back to the pool, its agent’s next poll gets 410',
    auth: 'user',
    responses: {
      '204': 'Deactivated (again: 204)',
      ...problems,
      '404': 'Unknown account, or no such installation of it',
    },
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}/installations/health',
    summary: 'The account’s installations: last beat, Care, audience and open findings of each',
    auth: 'user',
    responses: {
      '200':
        '{ installations: [{ installationId, lastBeatAt, careLevel, audience, openFindings: [{ findingId, ruleId, subject, severity, openedAt }] }] }',
      ...problems,
      '404': 'Unknown account',
    },
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}/findings',
    summary: 'The account’s findings; query `status` = open (default) | resolved | all',
    auth: 'user',
    responses: {
      '200': '{ findings: [finding] }, newest change first; support and back office also get `acknowledgements`',
      ...problems,
      '404': 'Unknown account',
    },
  },
  {
    method: 'get',
    path: '/v1/installations/{id}/snapshot',
    summary: 'The installation’s latest snapshot: the newest beat of each type (support, back office)',
    auth: 'user',
    responses: {
      '200': '{ installationId, beats: { <type>: { beatId, collectedAt, data } } }',
      ...problems,
      '404': 'No telemetry from this installation',
    },
  },
  {
    method: 'get',
    path: '/v1/installations/{id}/findings',
    summary: 'The installation’s findings with evidence and history; query `status` = open (default) | resolved | all',
    auth: 'user',
    responses: {
      '200': '{ findings: [finding] }, newest change first; support and back office also get `acknowledgements`',
      ...problems,
      '404': 'No telemetry from this installation',
    },
  },
  {
    method: 'post',
    path: '/v1/installations/{id}/findings/{findingId}/acknowledgements',
    summary: 'Acknowledge a finding with a note (support, back office)',
    auth: 'user',
    body: acknowledgementBodySchema,
    responses: {
      '201': '{ ackId, findingId, installationId, accountId, at, by, note }',
      ...problems,
      '404': 'Unknown finding',
    },
  },
  {
    method: 'get',
    path: '/v1/resellers/{resellerId}/accounts',
    summary: 'The Smart Accounts a reseller acts for (the reseller itself, back office)',
    auth: 'user',
    responses: { '200': '{ accounts: [{ accountId, name, region }] }', ...problems },
  },
  {
    method: 'post',
    path: '/v1/accounts/{accountId}/users',
    summary:
      'Invite a colleague as an administrator of the account (the account’s customers, its reseller, back office); the directory e-mails the invitation',
    auth: 'user',
    body: inviteBodySchema,
    responses: {
      '201': '{ userId, email, status: "invited" }',
      ...problems,
      '404': 'Unknown account',
      '409': 'The e-mail already has a user',
    },
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}/users',
    summary: 'The account’s users (its customers, its reseller, back office, support)',
    auth: 'user',
    responses: {
      '200': '{ users: [{ userId, email, status: invited | active, createdAt? }] }',
      ...problems,
      '404': 'Unknown account',
    },
  },
  {
    method: 'delete',
    path: '/v1/accounts/{accountId}/users/{userId}',
    summary: 'Remove a user from the account: deletes it from the directory (not oneself)',
    auth: 'user',
    responses: {
      '204': 'Removed',
      ...problems,
      '404': 'Unknown account or no such user of it',
      '409': 'Removing oneself',
    },
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}/audit',
    summary:
      'The account’s audit trail, newest first (its customers, its reseller, support, back office); query `from`, `to` (ISO time or date), `action`, `limit` (1–1000, default 50), `cursor`, `format` = json | csv',
    auth: 'user',
    responses: {
      '200':
        '{ events: [{ accountId, at, eventId, actor: { kind, id }, action, details }], nextCursor }; with `format=csv` or `Accept: text/csv`, text/csv with a header row (next page in `X-Next-Cursor`)',
      ...problems,
      '404': 'Unknown account',
    },
  },
  {
    method: 'get',
    path: '/v1/support/installations',
    summary:
      'Installations across accounts (support, back office); query `severity` (an open finding this severe or more), `care` = basic | gold | platinum | none, `silentHours` (no beat for that long), `limit` (1–200, default 50), `cursor`. Ordered by index bucket, oldest beat first within each; a page may hold fewer than `limit` while `nextCursor` is set',
    auth: 'user',
    responses: {
      '200':
        '{ installations: [{ installationId, accountId, lastBeatAt, careLevel, audience, openFindings }], nextCursor }',
      ...problems,
    },
  },
  {
    method: 'post',
    path: '/v1/installations/{id}/telemetry',
    summary: 'Send a batch of beats (signed; gzip welcome; each beat’s data per GET /v1/telemetry/catalogue)',
    auth: 'agent',
    body: telemetryBatchSchema,
    responses: {
      '202': '{ accepted, duplicates, rejected: [{ beatId, errors }], redactions: [{ beatId, path, reason }] }',
      ...problems,
      '403': 'Telemetry switched off for the account',
      '413': 'More than 500 beats, 1 MiB as sent or 8 MiB unpacked',
      '421': 'Installation homed in the other region',
      '503': 'The stream is busy: send the batch again after Retry-After',
    },
  },
  {
    method: 'get',
    path: '/v1/telemetry/catalogue',
    summary: 'The beat catalogue (v1) as JSON Schema',
    auth: 'public',
    responses: { '200': 'JSON Schema of the telemetry batch and every beat type' },
  },
];

const security: Record<Auth, unknown[]> = { agent: [{ httpSignature: [] }], user: [{ bearer: [] }], public: [] };

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const requestBody = op.body
      ? {
          required: true,
          content: { 'application/json': { schema: z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }) } },
        }
      : undefined;
    const pathItem = paths[op.path] ?? {};
    paths[op.path] = pathItem;
    pathItem[op.method] = {
      summary: op.summary,
      security: security[op.auth],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: Object.fromEntries(Object.entries(op.responses).map(([code, description]) => [code, { description }])),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ucx-cloud API',
      version: '1.0.0',
      description: 'Cloud Licensing, Telemetry and Proactive Support (DESIGN.md).',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        httpSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Signature',
          description: 'RFC 9421 Ed25519 signature over ("@method" "@path" "content-digest"), RFC 9530 Content-Digest',
        },
      },
    },
    paths,
  };
}
