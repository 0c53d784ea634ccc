/**
 * The OpenAPI 3.1 document of the HTTP API, generated with zod-openapi from the route table
 * (api-routes.ts) and the zod schemas the handlers validate with and answer in, so the document
 * cannot drift from what the service accepts and returns. One operation per route, its
 * operationId the answering function's name.
 */
import { callbackQuerySchema, connectBodySchema, presenceSwitchBodySchema } from '../core/presence/account';
import { snapshotRequestSchema } from '../core/presence/frames';
import { validationQuerySchema } from '../core/presence/notifications';
import {
  authorizeUrlSchema,
  notificationReportSchema,
  presenceSettingsSchema,
  snapshotSchema,
} from '../core/presence/responses';
import * as z from 'zod/mini';
import { withMeta } from '../core/schema-meta';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiOverrideContext,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { accountUserParamsSchema, accountUsersParamsSchema, inviteBodySchema } from '../core/accounts/users';
import { accountUserSchema, accountUsersSchema } from '../core/accounts/responses';
import {
  accountResellerBodySchema,
  accountResellerParamsSchema,
  applyBodySchema,
  resellerApprovalParamsSchema,
  resellerStatusQuerySchema,
} from '../core/accounts/resellers';
import { createAccountBodySchema } from '../core/accounts/sign-up';
import {
  accountResellerSchema,
  createdAccountSchema,
  resellerApplicationSchema,
  resellerApplicationsSchema,
} from '../core/accounts/sign-up-responses';
import { activationBodySchema } from '../core/licensing/activate-installation';
import type { Region } from '../core/licensing/catalogue';
import { allocationChangeBodySchema } from '../core/licensing/change-allocation';
import { activationKeyBodySchema } from '../core/licensing/create-activation-key';
import { orderBodySchema, orderIdSchema } from '../core/licensing/deposit-order';
import { auditQuerySchema } from '../core/licensing/list-audit-events';
import { resellerParamsSchema } from '../core/licensing/list-reseller-accounts';
import { offlineActivationBodySchema } from '../core/licensing/offline-activation';
import { signedJwksQuerySchema } from '../core/licensing/signed-jwks';
import {
  accountViewSchema,
  activationKeyResultSchema,
  activationResultSchema,
  allocationChangeResultSchema,
  auditPageSchema,
  jwksSchema,
  licenseResponseSchema,
  offlineActivationResultSchema,
  orderResultSchema,
  resellerAccountsSchema,
  telemetrySwitchSchema,
  staleReleaseSettingSchema,
} from '../core/licensing/responses';
import { telemetrySwitchBodySchema } from '../core/licensing/set-telemetry';
import { telemetryIntervalBodySchema, telemetryIntervalSchema } from '../core/licensing/set-telemetry-interval';
import { autoReleaseSettingSchema } from '../core/licensing/stale-release';
import { problemSchema, wrongRegionProblemSchema } from '../core/problem-schema';
import { acknowledgementBodySchema, findingIdSchema } from '../core/support/acknowledge-finding';
import { findingsQuerySchema } from '../core/support/findings-view';
import { supportInstallationsQuerySchema } from '../core/support/list-support-installations';
import {
  accountInstallationsHealthSchema,
  acknowledgementSchema,
  findingsSchema,
  installationSnapshotSchema,
  supportInstallationsPageSchema,
} from '../core/support/responses';
import { beatEnvelopeSchema } from '../core/telemetry/catalogue';
import { MAX_BEATS_PER_BATCH } from '../core/telemetry/ingest-telemetry';
import { catalogueDocumentSchema, ingestResultSchema } from '../core/telemetry/responses';
import { apiRoutes, operationNameOf, type ApiOperationName, type RouteAuth } from './api-routes';
import { backOfficeOperations } from './openapi-back-office';
import { retentionOperations } from './openapi-retention';
import { machineClientOperations } from './openapi-machine-clients';
import { activationKeyOperations } from './openapi-activation-keys';
import { historyOperations } from './openapi-history';
import { supportSettingsOperations } from './openapi-support-settings';
import { termsOperations, termsTag } from './openapi-terms';
import { accountInstallationParams, accountParams, installationParams, supportInstallationParams } from './params';

/** The batch envelope; each type's `data` is described by GET /v1/telemetry/catalogue. */
const telemetryBatchSchema = withMeta(
  z.object({ beats: z.array(beatEnvelopeSchema).check(z.minLength(1), z.maxLength(MAX_BEATS_PER_BATCH)) }),
  { id: 'TelemetryBatch' },
);

/** What API Gateway itself answers (throttled, or no valid token): not problem+json. */
const gatewayMessageSchema = withMeta(z.object({ message: z.string() }), {
  id: 'GatewayMessage',
  description: "API Gateway's own answer, before any handler runs.",
});

const openApiDocumentSchema = withMeta(
  z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }) }),
  { id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document.' },
);

type Tag = 'Agent' | 'Licensing' | 'Users' | 'Support' | 'Presence' | 'Documents' | 'Terms';
const tags: { name: Tag; description: string }[] = [
  {
    name: 'Agent',
    description: 'The agent-facing contract (v1): activation, licence polls, telemetry. Signed requests.',
  },
  {
    name: 'Licensing',
    description: 'Smart Accounts, orders, activation keys and installations: back office and portal.',
  },
  { name: 'Users', description: 'The people who may sign in for a Smart Account (kept in the user directory only).' },
  { name: 'Support', description: 'Proactive support: installation health, findings and snapshots.' },
  {
    name: 'Presence',
    description:
      'The Presence Service: the account’s switch and Microsoft 365 tenant, Graph’s notifications. The suite’s session is a WebSocket (DESIGN.md, not described here).',
  },
  { name: 'Documents', description: 'Public documents: signing keys, the telemetry catalogue, this description.' },
  termsTag,
];

type ErrorStatus = 400 | 403 | 404 | 409 | 410 | 413 | 421 | 503;

interface OperationSpec {
  readonly tag: Tag;
  readonly summary: string;
  readonly description?: string;
  /** the handler's path-parameter schema */
  readonly params?: z.core.$ZodObject;
  readonly query?: z.core.$ZodObject;
  /** request headers besides the authentication's */
  readonly headers?: z.core.$ZodObject;
  readonly body?: z.core.$ZodType;
  /** the answers other than errors */
  readonly responses: ZodOpenApiResponsesObject;
  /** the errors of this route besides the ones every route of its kind gives, and when each comes */
  readonly errors?: Partial<Record<ErrorStatus, string>>;
  /** answered from memory: no dependency can be busy (no 503) */
  readonly static?: true;
}

const cacheControl = withMeta(z.string(), { description: 'how long the answer may be reused' });
const retryAfterHeaders = z.object({ 'retry-after': withMeta(z.string(), { description: 'seconds to wait' }) });

const json = (schema: z.core.$ZodType, description: string, headers?: z.core.$ZodObject): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});

const problem = (description: string, schema: z.core.$ZodType = problemSchema): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/problem+json': { schema } },
});

/** Answers shared by many routes, registered once as components. */
const common = {
  badRequest: 'Invalid input: `errors` names each failing field (`params.…`, `query.…` or the body path)',
  tooLarge: { ...problem('The body is larger than this route accepts'), id: 'PayloadTooLarge' },
  unsupportedMediaType: {
    ...problem('The body is not application/json, or its Content-Encoding is not one this route takes'),
    id: 'UnsupportedMediaType',
  },
  signatureRefused: {
    ...problem(
      'The request signature is missing or malformed, more than 300 s from the server clock, from an unknown key, or over other bytes',
    ),
    id: 'SignatureRefused',
  },
  tokenRefused: {
    description: 'No valid bearer token (answered by API Gateway)',
    content: { 'application/json': { schema: gatewayMessageSchema } },
    headers: z.object({ 'www-authenticate': z.optional(z.string()) }),
    id: 'TokenRefused',
  },
  forbidden: 'The token’s role or account does not allow this',
  throttled: {
    description: 'Over the route’s request rate (answered by API Gateway)',
    content: { 'application/json': { schema: gatewayMessageSchema } },
    id: 'Throttled',
  },
  internal: { ...problem('Something went wrong on our side; nothing more is said'), id: 'InternalError' },
  busy: {
    ...problem(
      'A dependency is busy or the account is changing right now; nothing was written: retry after Retry-After',
    ),
    headers: retryAfterHeaders,
    id: 'Unavailable',
  },
} satisfies Record<string, string | ZodOpenApiResponseObject>;

const agentHeaders = z.object({
  'content-digest': withMeta(z.string(), {
    description:
      'RFC 9530 `sha-256=:<base64>:` of the body as sent (of the empty body for a GET); covered by the signature',
  }),
});
const findingParams = z.extend(installationParams, { findingId: findingIdSchema });
const orderParams = z.object({ orderId: orderIdSchema });

const operations: Record<ApiOperationName, OperationSpec> = {
  ...termsOperations,
  ...retentionOperations,
  ...backOfficeOperations,
  ...machineClientOperations,
  ...supportSettingsOperations,
  ...activationKeyOperations,
  ...historyOperations,
  activate: {
    tag: 'Agent',
    summary: 'Activate an installation',
    description:
      'With an activation key and the installation’s new Ed25519 public key; the request is signed with that key (keyid: its RFC 7638 JWK thumbprint).',
    headers: agentHeaders,
    body: withMeta(activationBodySchema, { id: 'ActivationRequest' }),
    responses: {
      '201': json(activationResultSchema, 'Activated'),
      '200': json(activationResultSchema, 'The same key and public key again: the same installation'),
    },
    errors: {
      403: 'Unknown, expired, used or revoked activation key (the detail says which when revoked)',
      409: 'No free capacity for the key’s allocation, or the public key is bound to another activation',
      421: 'The account is homed in the other region: activate there',
    },
  },
  getLicense: {
    tag: 'Agent',
    summary: 'Poll for the signed licence',
    description:
      'Signed with the installation’s key (keyid: the installation id). `If-None-Match` with the held ETag: 304.',
    params: installationParams,
    headers: z.extend(agentHeaders, {
      'if-none-match': withMeta(z.optional(z.string()), { description: 'the ETag of the licence the agent holds' }),
    }),
    responses: {
      '200': json(
        licenseResponseSchema,
        'The current licence',
        z.object({ etag: z.string(), 'cache-control': cacheControl }),
      ),
      '304': { description: 'The held licence is current', headers: z.object({ etag: z.string() }) },
    },
    errors: { 404: 'The installation’s account no longer exists', 410: 'The installation was deactivated' },
  },
  deactivate: {
    tag: 'Agent',
    summary: 'Deactivate the installation',
    description: 'Signed; the installation’s allocation goes back to the account’s pool. Again: 204.',
    params: installationParams,
    headers: agentHeaders,
    responses: { '204': { description: 'Deactivated (or already)' } },
    errors: { 421: 'The installation is homed in the other region: send the request to `homeEndpoint`' },
  },
  ingestTelemetry: {
    tag: 'Agent',
    summary: 'Send a batch of beats',
    description:
      'Signed; `Content-Encoding: gzip` welcome. Each beat is judged alone against GET /v1/telemetry/catalogue: unknown fields are dropped and reported as redactions.',
    params: installationParams,
    headers: z.extend(agentHeaders, {
      'content-encoding': z.optional(z.enum(['gzip', 'identity'])),
    }),
    body: telemetryBatchSchema,
    responses: { '202': json(ingestResultSchema, 'Accepted: what was taken, rejected and redacted') },
    errors: {
      400: 'Invalid input, or no beat of the batch is acceptable (`errors` names each)',
      403: 'Telemetry is switched off for the account: nothing was stored',
      410: 'The installation was deactivated',
      413: `More than ${MAX_BEATS_PER_BATCH} beats, more than 1 MiB as sent or 8 MiB unpacked`,
      421: 'The installation is homed in the other region: send there',
      503: 'The stream is busy: send the batch again after Retry-After',
    },
  },
  jwks: {
    tag: 'Documents',
    summary: 'The licence-signing public keys',
    description:
      'Every key of both regions’ key sets (current, next, retiring). An agent pins a key it has not pinned yet only once GET /.well-known/jwks.json.jws verifies over this exact body with a key it has.',
    responses: { '200': json(jwksSchema, 'JWKS', z.object({ 'cache-control': cacheControl })) },
  },
  signedJwks: {
    tag: 'Documents',
    summary: 'The JWKS’s detached signature',
    description:
      'RFC 7515 Appendix F: `<protected header>..<signature>`, ES256 over the exact bytes of GET /.well-known/jwks.json. The header names the key (`kid`), `cty: jwk-set+json` and `iat` (seconds). Signed by this region’s current key, or by the key `kid` names.',
    query: signedJwksQuerySchema,
    responses: {
      '200': {
        description: 'The detached JWS',
        content: {
          'application/jose': {
            schema: withMeta(z.string().check(z.regex(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/)), { id: 'DetachedJws' }),
          },
        },
        headers: z.object({ 'cache-control': cacheControl }),
      },
    },
    errors: { 404: 'No key of this region’s key set has that `kid`' },
  },
  openapi: {
    tag: 'Documents',
    summary: 'This document',
    responses: { '200': json(openApiDocumentSchema, 'OpenAPI 3.1', z.object({ 'cache-control': cacheControl })) },
    static: true,
  },
  telemetryCatalogue: {
    tag: 'Documents',
    summary: 'The telemetry catalogue as JSON Schema',
    responses: {
      '200': json(
        catalogueDocumentSchema,
        'The batch and every beat type',
        z.object({ 'cache-control': cacheControl }),
      ),
    },
    static: true,
  },
  putOrder: {
    tag: 'Licensing',
    summary: 'Deposit an order into a Smart Account',
    description:
      'Back office. With `account.create` the account is created; with `admin: { email }` too, its first administrator is invited (the e-mail is kept by the user directory only). Idempotent per order id.',
    params: orderParams,
    body: withMeta(orderBodySchema, { id: 'OrderRequest' }),
    responses: {
      '201': json(orderResultSchema, 'Deposited'),
      '200': json(orderResultSchema, 'The same id and body again: the same result (a failed invitation is sent again)'),
    },
    errors: {
      403: 'Not back office',
      404: 'Unknown account',
      409: 'The same order id with another body, or the account has too many active installations for one change',
      421: 'The account (or the one `account.create` names) is homed in the other region: send the order to `homeEndpoint`',
    },
  },
  getAccount: {
    tag: 'Licensing',
    summary: 'A Smart Account',
    description:
      'Its products with capacity and terms, its installations with their last poll (customer, its reseller, support, back office).',
    params: accountParams,
    responses: { '200': json(accountViewSchema, 'The account') },
    errors: { 404: 'Unknown account' },
  },
  createActivationKey: {
    tag: 'Licensing',
    summary: 'Create a single-use activation key',
    description: 'By default it carries all capacity not yet allocated (customer, its reseller, back office).',
    params: accountParams,
    body: withMeta(activationKeyBodySchema, { id: 'ActivationKeyRequest' }),
    responses: { '201': json(activationKeyResultSchema, 'Created; the key is shown only now') },
    errors: {
      400: 'Invalid input, or a product the account holds no licences of (`allocation.<product>`)',
      404: 'Unknown account',
      409: 'Not enough free capacity',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  offlineActivation: {
    tag: 'Licensing',
    summary: 'Activate an air-gapped installation from its request file',
    description:
      'The agent’s request file (Ed25519-signed over its canonical JSON) in, the response file out, JWKS included (customer, its reseller, back office).',
    params: accountParams,
    body: withMeta(offlineActivationBodySchema, { id: 'OfflineActivationRequest' }),
    responses: {
      '201': json(offlineActivationResultSchema, 'Activated: the response file'),
      '200': json(offlineActivationResultSchema, 'The same request file again: the same installation'),
    },
    errors: {
      403: 'Unknown, expired or used activation key, a key of another account, or no right to manage the account',
      409: 'No free capacity for the key’s allocation, or the public key is bound to another activation',
      421: 'The account is homed in the other region',
    },
  },
  setTelemetry: {
    tag: 'Licensing',
    summary: 'Switch telemetry on or off for the account',
    description: 'Every licence of the account is re-issued with the switch (customer, its reseller, back office).',
    params: accountParams,
    body: withMeta(telemetrySwitchBodySchema, { id: 'TelemetrySwitchRequest' }),
    responses: { '200': json(telemetrySwitchSchema, 'The switch now') },
    errors: {
      404: 'Unknown account',
      409: 'The account has too many active installations for one change',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  setTelemetryInterval: {
    tag: 'Support',
    summary: 'Have one installation send its telemetry more often for a day (support)',
    description:
      'The installation’s licence carries `telemetry.intervalSeconds` = `seconds` until `until` (24 h from now), then its Care level’s cycle again; its ETag changes, so the agent learns it from its next telemetry 202. Again: from now again. Audited (`telemetry.interval-set`).',
    params: supportInstallationParams,
    body: withMeta(telemetryIntervalBodySchema, { id: 'TelemetryIntervalRequest' }),
    responses: { '200': json(telemetryIntervalSchema, 'The cycle and when it ends') },
    errors: {
      404: 'Unknown installation',
      410: 'The installation was deactivated',
      421: 'The installation is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  endTelemetryInterval: {
    tag: 'Support',
    summary: 'Back to the Care level’s telemetry cycle now (support)',
    description:
      'Ends support’s cycle early; none (or one already over): 204 all the same. Audited (`telemetry.interval-ended`).',
    params: supportInstallationParams,
    responses: { '204': { description: 'The installation is on its Care level’s cycle' } },
    errors: {
      404: 'Unknown installation',
      410: 'The installation was deactivated',
      421: 'The installation is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  setStaleRelease: {
    tag: 'Licensing',
    summary: 'Opt in to (or out of) the automatic release of stale installations',
    description:
      'Off by default. When on, an installation silent for `afterDays` is released by the system; its administrators are noticed 7 days before (audited `installation.stale-notice`). Customer, its reseller, back office.',
    params: accountParams,
    body: withMeta(autoReleaseSettingSchema, { id: 'StaleReleaseRequest' }),
    responses: { '200': json(staleReleaseSettingSchema, 'The setting now') },
    errors: {
      404: 'Unknown account',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  changeAllocation: {
    tag: 'Licensing',
    summary: 'Change an installation’s allocation',
    description:
      'The body is its new full allocation: a product left out or at 0 goes back to the pool; raising takes free capacity only. The installation’s next poll gets the new licence (customer, its reseller, back office).',
    params: accountInstallationParams,
    body: withMeta(allocationChangeBodySchema, { id: 'AllocationChangeRequest' }),
    responses: { '200': json(allocationChangeResultSchema, 'The installation’s allocation now') },
    errors: {
      400: 'Invalid input, or a product the account holds no licences of (`allocation.<product>`)',
      404: 'Unknown account, or no such installation of it',
      409: 'Not enough free capacity (`errors` names `allocation.<product>` and how much is free), or the installation is deactivated',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  deactivateAccountInstallation: {
    tag: 'Licensing',
    summary: 'Deactivate an installation from the portal',
    description:
      'Its allocation goes back to the pool; its agent’s next poll gets 410. Again: 204 (customer, its reseller, back office).',
    params: accountInstallationParams,
    responses: { '204': { description: 'Deactivated (or already)' } },
    errors: {
      404: 'Unknown account, or no such installation of it',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  listResellerAccounts: {
    tag: 'Licensing',
    summary: 'The Smart Accounts a reseller acts for',
    description: 'The reseller itself, back office.',
    params: resellerParamsSchema,
    responses: { '200': json(resellerAccountsSchema, 'Its customers’ accounts') },
  },
  listAuditEvents: {
    tag: 'Licensing',
    summary: 'The account’s audit trail',
    description:
      'Newest first, paged by `cursor`; CSV with `format=csv` or `Accept: text/csv` (customer, its reseller, support, back office). One request reads a bounded part of the trail: filtered by `action`, a page may come back short, even empty, with a `nextCursor` that continues where it stopped.',
    params: accountParams,
    query: auditQuerySchema,
    responses: {
      '200': {
        description: 'A page of events; as CSV, the next page’s cursor is in X-Next-Cursor',
        content: {
          'application/json': { schema: auditPageSchema },
          'text/csv': {
            schema: withMeta(z.string(), {
              description:
                'header row `at,action,actorKind,actorId,eventId,details,by`, CRLF line ends, details as JSON, by the actor in words (an e-mail, "back office", …)',
            }),
          },
        },
        headers: z.object({
          'x-next-cursor': withMeta(z.optional(z.string()), {
            description: 'CSV only: the next page’s cursor, if any',
          }),
        }),
      },
    },
    errors: { 400: 'Invalid query, a cursor not of this list, or `from` after `to`', 404: 'Unknown account' },
  },
  inviteAccountUser: {
    tag: 'Users',
    summary: 'Invite a colleague as an administrator of the account',
    description: 'The directory e-mails the invitation (the account’s customers, its reseller, back office).',
    params: accountUsersParamsSchema,
    body: withMeta(inviteBodySchema, { id: 'InviteRequest' }),
    responses: { '201': json(accountUserSchema, 'Invited') },
    errors: {
      404: 'Unknown account',
      409: 'The e-mail belongs to a user of another account or role: no invitation was sent',
    },
  },
  listAccountUsers: {
    tag: 'Users',
    summary: 'The account’s users',
    description: 'The account’s customers, its reseller, support, back office.',
    params: accountUsersParamsSchema,
    responses: { '200': json(accountUsersSchema, 'Its users') },
    errors: { 404: 'Unknown account' },
  },
  removeAccountUser: {
    tag: 'Users',
    summary: 'Remove a user from the account',
    description: 'Deletes it from the directory; not oneself (the account’s customers, its reseller, back office).',
    params: accountUserParamsSchema,
    responses: { '204': { description: 'Removed' } },
    errors: { 404: 'Unknown account, or no such user of it', 409: 'Removing oneself' },
  },
  createAccount: {
    tag: 'Users',
    summary: 'Create a Smart Account (sign-up)',
    description:
      'A signed-in person without an account creates one and becomes its administrator; sign in again (or refresh the token) to carry it. Again: 200 with the same account.',
    body: withMeta(createAccountBodySchema, { id: 'CreateAccountRequest' }),
    responses: {
      '201': json(createdAccountSchema, 'Created'),
      '200': json(createdAccountSchema, 'The account this person created earlier'),
    },
    errors: {
      409: 'The person is already a user of a Smart Account',
      421: 'The chosen region is served by the other region’s API: send the request to `homeEndpoint`',
    },
  },
  applyReseller: {
    tag: 'Users',
    summary: 'Apply as a reseller',
    description:
      'A signed-in person without an account; the application waits for the back office’s approval. Again: 200 with the same application.',
    body: withMeta(applyBodySchema, { id: 'ResellerApplicationRequest' }),
    responses: {
      '201': json(resellerApplicationSchema, 'Applied, pending'),
      '200': json(resellerApplicationSchema, 'The application this person made earlier'),
    },
    errors: { 409: 'The person is already a user of a Smart Account' },
  },
  getResellerApplication: {
    tag: 'Users',
    summary: 'The signed-in person’s reseller application',
    responses: { '200': json(resellerApplicationSchema, 'Its status') },
    errors: { 404: 'The person has not applied' },
  },
  listResellerApplications: {
    tag: 'Users',
    summary: 'Reseller applications by status',
    description: 'Back office.',
    query: resellerStatusQuerySchema,
    responses: { '200': json(resellerApplicationsSchema, 'Oldest first') },
  },
  approveReseller: {
    tag: 'Users',
    summary: 'Approve a reseller application',
    description:
      'Back office. Links the applicant to the reseller; again: the same answer (a failed link is completed).',
    params: resellerApprovalParamsSchema,
    responses: { '200': json(resellerApplicationSchema, 'Approved') },
    errors: { 404: 'No such application' },
  },
  setAccountReseller: {
    tag: 'Users',
    summary: 'Name the reseller that acts for the account',
    description: 'The account’s administrators, back office. The reseller must be approved; it replaces any other.',
    params: accountResellerParamsSchema,
    body: withMeta(accountResellerBodySchema, { id: 'AccountResellerRequest' }),
    responses: { '200': json(accountResellerSchema, 'The account’s reseller now') },
    errors: {
      404: 'Unknown account',
      409: 'Not an approved reseller, or the account’s reseller changed meanwhile',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  removeAccountReseller: {
    tag: 'Users',
    summary: 'Stop the account’s reseller acting for it',
    description: 'The account’s administrators, back office. Again: 204.',
    params: accountResellerParamsSchema,
    responses: { '204': { description: 'No reseller acts for the account' } },
    errors: {
      404: 'Unknown account',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  listAccountInstallations: {
    tag: 'Support',
    summary: 'The account’s installations’ health',
    description: 'Last beat, Care, audience and open findings of each (customer, its reseller, support, back office).',
    params: accountParams,
    responses: { '200': json(accountInstallationsHealthSchema, 'Each installation, by id') },
    errors: { 404: 'Unknown account' },
  },
  listAccountFindings: {
    tag: 'Support',
    summary: 'The account’s findings',
    description: 'Support and back office also get the acknowledgements.',
    params: accountParams,
    query: findingsQuerySchema,
    responses: { '200': json(findingsSchema, 'Newest change first') },
    errors: { 404: 'Unknown account' },
  },
  getInstallationSnapshot: {
    tag: 'Support',
    summary: 'The installation’s latest snapshot',
    description: 'The newest beat of each type (support, back office).',
    params: installationParams,
    responses: { '200': json(installationSnapshotSchema, 'The snapshot') },
    errors: { 404: 'No telemetry from this installation' },
  },
  listInstallationFindings: {
    tag: 'Support',
    summary: 'The installation’s findings',
    description: 'With evidence and history; support and back office also get the acknowledgements.',
    params: installationParams,
    query: findingsQuerySchema,
    responses: { '200': json(findingsSchema, 'Newest change first') },
    errors: { 404: 'No telemetry from this installation' },
  },
  acknowledgeFinding: {
    tag: 'Support',
    summary: 'Acknowledge a finding with a note',
    description: 'Support, back office.',
    params: findingParams,
    body: withMeta(acknowledgementBodySchema, { id: 'AcknowledgementRequest' }),
    responses: { '201': json(acknowledgementSchema, 'Acknowledged') },
    errors: { 404: 'Unknown finding' },
  },
  listSupportInstallations: {
    tag: 'Support',
    summary: 'Installations across accounts',
    description:
      'Support, back office. Ordered by index bucket, oldest beat first within each (to 3 hours); a page may hold fewer than `limit` while `nextCursor` is set.',
    query: supportInstallationsQuerySchema,
    responses: { '200': json(supportInstallationsPageSchema, 'A page') },
    errors: { 400: 'Invalid query, or a cursor not of this list' },
  },
  getPresenceSettings: {
    tag: 'Presence',
    summary: 'The account’s Presence Service: switch, connected tenant, open sessions',
    description: 'Customer, its reseller, support (read), back office. Served in the account’s home region only.',
    params: accountParams,
    responses: { '200': json(presenceSettingsSchema, 'The Presence settings now') },
    errors: { 404: 'Unknown account', 421: 'The account is homed in the other region' },
  },
  setPresence: {
    tag: 'Presence',
    summary: 'Switch the Presence Service on or off',
    description: 'Off by default. Off closes the suite’s sessions at once and keeps the tenant connected.',
    params: accountParams,
    body: withMeta(presenceSwitchBodySchema, { id: 'PresenceSwitchRequest' }),
    responses: { '200': json(presenceSettingsSchema, 'The Presence settings now') },
    errors: { 404: 'Unknown account', 421: 'The account is homed in the other region' },
  },
  connectPresenceTenant: {
    tag: 'Presence',
    summary: 'Start connecting a Microsoft 365 tenant',
    description:
      'OAuth 2.0 authorization code flow with PKCE: the browser goes to `authorizeUrl`; after the administrator’s consent Microsoft sends it to `/v1/presence/callback`, which returns it to `returnTo` with `presence=connected` or `presence=error&reason=…`.',
    params: accountParams,
    body: withMeta(connectBodySchema, { id: 'PresenceConnectRequest' }),
    responses: { '201': json(authorizeUrlSchema, 'Where the browser goes next') },
    errors: {
      404: 'Unknown account',
      409: 'Presence is off, or a tenant is already connected',
      421: 'The account is homed in the other region',
    },
  },
  disconnectPresenceTenant: {
    tag: 'Presence',
    summary: 'Disconnect the Microsoft 365 tenant and erase what Presence kept',
    description:
      'Deletes the Graph subscriptions, closes the suite’s sessions, erases the sealed refresh token, watched users and their presence. Idempotent.',
    params: accountParams,
    responses: { '204': { description: 'Disconnected and erased (or nothing was connected)' } },
    errors: { 404: 'Unknown account', 421: 'The account is homed in the other region' },
  },
  completePresenceConnection: {
    tag: 'Presence',
    summary: 'Microsoft’s redirect after the administrator’s consent',
    description:
      'Redeems the code with the PKCE verifier kept for `state` (single use, 10 minutes), then 303 to the portal.',
    query: callbackQuerySchema,
    responses: {
      '303': {
        description:
          'Back to the portal page that started it (`Location`), with `presence=connected` or `presence=error&reason=…`',
        content: { 'text/plain': { schema: z.string() } },
      },
    },
  },
  receivePresenceNotifications: {
    tag: 'Presence',
    summary: 'Microsoft Graph change notifications (and the validation handshake)',
    description:
      'With `validationToken`: the token echoed as text/plain. Otherwise each notification is checked (subscription, `clientState`, `dataSignature`) and dropped when it fails; 202 says how many.',
    query: z.partial(validationQuerySchema),
    responses: {
      '200': { description: 'The validation token, echoed', content: { 'text/plain': { schema: z.string() } } },
      '202': json(notificationReportSchema, 'Accepted; the fan-out to the sessions runs asynchronously'),
    },
  },
  receivePresenceLifecycle: {
    tag: 'Presence',
    summary: 'Microsoft Graph lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed)',
    query: z.partial(validationQuerySchema),
    responses: {
      '200': { description: 'The validation token, echoed', content: { 'text/plain': { schema: z.string() } } },
      '202': json(z.object({ handled: z.int(), dropped: z.int() }), 'Handled'),
    },
  },
  presenceSnapshot: {
    tag: 'Agent',
    summary: 'The presence of these users now, for a suite whose proxy does not carry WebSockets',
    headers: agentHeaders,
    params: installationParams,
    body: withMeta(snapshotRequestSchema, { id: 'PresenceSnapshotRequest' }),
    responses: { '200': json(snapshotSchema, 'Their presence; UPNs the tenant does not know are in `unknown`') },
    errors: {
      403: 'Presence is off for the account, or no tenant is connected',
      410: 'The installation is deactivated',
      421: 'The account is homed in the other region',
    },
  },
};

/** The error answers of one route: its own, and those every route of its kind gives. */
function errorResponses(spec: OperationSpec, auth: RouteAuth): ZodOpenApiResponsesObject {
  const own = spec.errors ?? {};
  const takesInput = Boolean(spec.params ?? spec.query ?? spec.body);
  const responses: ZodOpenApiResponsesObject = {};
  if (takesInput || own[400]) responses['400'] = problem(own[400] ?? common.badRequest);
  if (auth === 'agent') responses['401'] = common.signatureRefused;
  const bearer = auth === 'user' || auth === 'staff-or-machine';
  if (bearer) responses['401'] = common.tokenRefused;
  if (bearer || own[403]) responses['403'] = problem(own[403] ?? common.forbidden);
  for (const status of [404, 409, 410] as const) {
    const when = own[status];
    if (when) responses[`${status}`] = problem(when);
  }
  if (spec.body) {
    responses['413'] = own[413] ? problem(own[413]) : common.tooLarge;
    responses['415'] = common.unsupportedMediaType;
  }
  if (own[421]) responses['421'] = problem(own[421], wrongRegionProblemSchema);
  responses['429'] = common.throttled;
  responses['500'] = common.internal;
  if (!spec.static) responses['503'] = own[503] ? { ...problem(own[503]), headers: retryAfterHeaders } : common.busy;
  return responses;
}

const securityOf: Record<RouteAuth, ZodOpenApiOperationObject['security']> = {
  agent: [{ agentSignature: [], agentSignatureInput: [] }],
  user: [{ userToken: [] }],
  public: [],
  'staff-or-machine': [{ userToken: [] }, { machineToken: [] }],
};

function operationOf(route: (typeof apiRoutes)[number]): ZodOpenApiOperationObject {
  const spec = operations[operationNameOf(route)];
  const requestParams = {
    ...(spec.params ? { path: spec.params } : {}),
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.headers ? { header: spec.headers } : {}),
  };
  return {
    operationId: operationNameOf(route),
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    security: securityOf[route.auth],
    ...(Object.keys(requestParams).length > 0 ? { requestParams } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    responses: { ...spec.responses, ...errorResponses(spec, route.auth) },
  };
}

export interface OpenApiServers {
  /** each region's public API base URL (the config's endpoints; locally the local cloud's) */
  readonly endpoints: Readonly<Record<Region, string>>;
  /** the region listed first (the one serving the document) @default 'eu' */
  readonly first?: Region;
}

const regionNames: Record<Region, string> = { eu: 'EU region', us: 'US region' };

/**
 * Tidier schemas for readers and generators: ISO dates need no regex beside `format`, safe-integer
 * bounds say nothing, a record over an enum (an allocation) is an object with those optional
 * properties, and an answer may gain fields (v1 changes additively), so only requests say
 * "nothing else".
 */
function tidy({ jsonSchema, io }: ZodOpenApiOverrideContext): void {
  const schema = jsonSchema as Record<string, unknown>;
  if (schema.format === 'date-time' && typeof schema.pattern === 'string') delete schema.pattern;
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  const keys = (schema.propertyNames as { enum?: unknown } | undefined)?.enum;
  if (Array.isArray(keys) && typeof schema.additionalProperties === 'object') {
    schema.properties = Object.fromEntries(keys.map((key) => [String(key), schema.additionalProperties]));
    schema.additionalProperties = false;
    delete schema.propertyNames;
  }
  if (io === 'output' && schema.additionalProperties === false) delete schema.additionalProperties;
}

/** The document, with the API's base URL of each region as its servers. */
export function openApiDocument(servers: OpenApiServers): Record<string, unknown> {
  const first = servers.first ?? 'eu';
  const regions = [first, ...(Object.keys(servers.endpoints) as Region[]).filter((r) => r !== first)];
  const paths: ZodOpenApiPathsObject = {};
  for (const route of apiRoutes) {
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    item[route.method.toLowerCase() as 'get'] = operationOf(route);
  }
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'ucx-cloud API',
        version: '1.0.0',
        description:
          'Cloud Licensing, Telemetry and Proactive Support for the UCX Suite. Every error the service answers is `application/problem+json` (RFC 9457); API Gateway’s own (401 without a valid token, 429) are `{ message }`. The agent-facing contract is v1 and changes only additively.',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: regions.map((region) => ({ url: servers.endpoints[region], description: regionNames[region] })),
      tags,
      paths,
      components: {
        securitySchemes: {
          agentSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'Signature',
            description:
              'HTTP Message Signatures (RFC 9421; OpenAPI has no type for it): Ed25519 over ("@method" "@path" "content-digest") with parameters `created`, `keyid`, `alg="ed25519"`; the installation’s key (keyid: the installation id, or at activation the new key’s JWK thumbprint). Sent with Signature-Input and Content-Digest.',
          },
          agentSignatureInput: {
            type: 'apiKey',
            in: 'header',
            name: 'Signature-Input',
            description: 'The RFC 9421 Signature-Input of the Signature header: covered components and parameters.',
          },
          userToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'A Cognito ID token (locally, one of the local issuer); its groups give the role.',
          },
          machineToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A machine client’s access token (client credentials at the `tokenUrl` of its creation); the route needs its scope: `ucx/orders:write` to deposit or preview orders, `ucx/accounts:read` to find accounts and orders.',
          },
        },
      },
    },
    { override: tidy },
  ) as unknown as Record<string, unknown>;
}
