/**
 * The response schemas the OpenAPI document publishes are the use cases' results: each is held to
 * its result type at compile time (the same fields, optional or not, of the same types; `npm run typecheck`),
 * and the licensing flows' real results parse to themselves (no field left undescribed).
 */
import * as z from 'zod/mini';
import type { accountUserSchema, accountUsersSchema } from '#lambdas/core/accounts/responses';
import type { AccountUser, listAccountUsers } from '#lambdas/core/accounts/users';
import { activateInstallation, type ActivationResult } from '#lambdas/core/licensing/activate-installation';
import { changeAllocation, type AllocationChangeResult } from '#lambdas/core/licensing/change-allocation';
import { createActivationKey, type ActivationKeyResult } from '#lambdas/core/licensing/create-activation-key';
import { depositOrder, type OrderResult } from '#lambdas/core/licensing/deposit-order';
import { getAccount, type AccountView } from '#lambdas/core/licensing/get-account';
import { listAuditEvents, type AuditPage } from '#lambdas/core/licensing/list-audit-events';
import type { listResellerAccounts } from '#lambdas/core/licensing/list-reseller-accounts';
import type { OfflineActivationResult } from '#lambdas/core/licensing/offline-activation';
import { pollLicense, type PollOutcome } from '#lambdas/core/licensing/poll-license';
import {
  accountViewSchema,
  activationKeyResultSchema,
  activationResultSchema,
  allocationChangeResultSchema,
  auditPageSchema,
  type jwksSchema,
  licenseResponseSchema,
  type offlineActivationResultSchema,
  orderResultSchema,
  type resellerAccountsSchema,
  telemetrySwitchSchema,
} from '#lambdas/core/licensing/responses';
import { setTelemetry } from '#lambdas/core/licensing/set-telemetry';
import type { FleetOverview } from '#lambdas/core/support/fleet-overview';
import type { SnapshotView } from '#lambdas/core/support/get-installation-snapshot';
import type { Acknowledgement } from '#lambdas/core/support/ports';
import type { listAccountFindings } from '#lambdas/core/support/list-account-findings';
import type { listAccountInstallations } from '#lambdas/core/support/list-account-installations';
import type { listInstallationFindings } from '#lambdas/core/support/list-installation-findings';
import type { listSupportInstallations } from '#lambdas/core/support/list-support-installations';
import type {
  accountInstallationsHealthSchema,
  acknowledgementSchema,
  findingsSchema,
  fleetOverviewSchema,
  installationSnapshotSchema,
  supportInstallationsPageSchema,
} from '#lambdas/core/support/responses';
import type { TelemetryReceipt } from '#lambdas/core/telemetry/ingest-telemetry';
import { catalogueJsonSchema } from '#lambdas/core/telemetry/catalogue-documents';
import { catalogueDocumentSchema, type ingestResultSchema } from '#lambdas/core/telemetry/responses';
import type { PublicSigningJwk } from '#lambdas/adapters/licence-signers';
import { MemoryAuditLog } from '#test/support/memory-audit-log';
import {
  acceptSignature,
  activationBody,
  agentIdentity,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

// ---- compile time: each schema's output and its use case's result are the same type -------------

/** Arrays, readonly-ness and intersections flattened away, so that equal shapes compare equal. */
type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Plain<T[K]> }
    : T;
/** True when A and B are the same shape: every field, optional or not, of the same type. */
type Same<A, B> = (<T>() => T extends Plain<A> ? 1 : 2) extends <T>() => T extends Plain<B> ? 1 : 2 ? true : false;
type Result<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
/** Compiles only when `T` is `true`. */
const holds = <T extends true>(): T | undefined => undefined;

holds<Same<z.output<typeof activationResultSchema>, ActivationResult>>();
holds<
  Same<
    z.output<typeof offlineActivationResultSchema>,
    Omit<OfflineActivationResult, 'jwks'> & { jwks: z.output<typeof jwksSchema> }
  >
>();
holds<Same<z.output<typeof licenseResponseSchema>, Omit<Extract<PollOutcome, { status: 200 }>, 'status' | 'etag'>>>();
holds<Same<z.output<typeof orderResultSchema>, OrderResult>>();
holds<Same<z.output<typeof accountViewSchema>, AccountView>>();
holds<Same<z.output<typeof activationKeyResultSchema>, ActivationKeyResult>>();
holds<Same<z.output<typeof telemetrySwitchSchema>, Result<typeof setTelemetry>>>();
holds<Same<z.output<typeof allocationChangeResultSchema>, AllocationChangeResult>>();
holds<Same<z.output<typeof resellerAccountsSchema>, Result<typeof listResellerAccounts>>>();
holds<Same<z.output<typeof auditPageSchema>, AuditPage>>();
holds<Same<z.output<typeof accountUserSchema>, AccountUser>>();
holds<Same<z.output<typeof accountUsersSchema>, Result<typeof listAccountUsers>>>();
holds<Same<z.output<typeof ingestResultSchema>, TelemetryReceipt>>();
holds<Same<z.output<typeof accountInstallationsHealthSchema>, Result<typeof listAccountInstallations>>>();
holds<Same<z.output<typeof findingsSchema>, Result<typeof listAccountFindings>>>();
holds<Same<z.output<typeof findingsSchema>, Result<typeof listInstallationFindings>>>();
holds<Same<z.output<typeof acknowledgementSchema>, Acknowledgement>>();
holds<Same<z.output<typeof installationSnapshotSchema>, SnapshotView>>();
holds<Same<z.output<typeof supportInstallationsPageSchema>, Result<typeof listSupportInstallations>>>();
holds<Same<z.output<typeof fleetOverviewSchema>, FleetOverview>>();
// The JWKS is the adapter's: every key the schema describes is a key it serves.
holds<z.output<typeof jwksSchema>['keys'][number] extends PublicSigningJwk ? true : false>();

// ---- run time: the licensing flows' results, exactly as described ------------------------------

/** Parsing keeps only described fields: a result equal to its parse has none undescribed. */
function expectDescribed(schema: z.core.$ZodType, value: unknown): void {
  const json = JSON.parse(JSON.stringify(value));
  expect(z.parse(schema, json)).toEqual(json);
}

let world: LicensingWorld;

beforeEach(async () => {
  world = await licensingWorld();
});

describe('the licensing response schemas', () => {
  it('describe an order, an account, a key, an activation, a poll, an allocation change, a switch and the audit', async () => {
    const { result: order } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-1',
      newAccountOrder([perpetualLine('ivr', 10, { level: 'gold', endsAt: '2027-03-01T00:00:00.000Z' })]),
    );
    const { accountId } = order;
    const key = await createActivationKey(world.deps, principals.backoffice, accountId, {
      allocation: { ivr: 4 },
      expiresInDays: 30,
    });
    const identity = await agentIdentity();
    const { result: activation } = await activateInstallation(
      world.deps,
      world.settings,
      activationBody(key.activationKey, identity.publicKey),
      identity.thumbprint,
    );
    const poll = await pollLicense(world.deps, world.settings, activation.installationId, undefined, acceptSignature);
    const change = await changeAllocation(world.deps, principals.backoffice, accountId, activation.installationId, {
      allocation: { ivr: 0 },
    });
    const telemetry = await setTelemetry(world.deps, principals.backoffice, accountId, { enabled: false });
    const account = await getAccount(world.deps, principals.backoffice, accountId);
    const auditLog = new MemoryAuditLog(() => world.repo.auditOf(accountId));
    const audit = await listAuditEvents({ repo: world.repo, auditLog }, principals.backoffice, accountId, {});

    expectDescribed(orderResultSchema, order);
    expectDescribed(activationKeyResultSchema, key);
    expectDescribed(activationResultSchema, activation);
    expect(poll.status).toBe(200);
    const { status: _status, etag: _etag, ...licenseBody } = poll as Extract<PollOutcome, { status: 200 }>;
    expectDescribed(licenseResponseSchema, licenseBody);
    expectDescribed(allocationChangeResultSchema, change);
    expect(change.allocation).toEqual({});
    expectDescribed(telemetrySwitchSchema, telemetry);
    expectDescribed(accountViewSchema, account);
    expect(account.installations).toHaveLength(1);
    expectDescribed(auditPageSchema, audit);
    expect(audit.events.length).toBeGreaterThanOrEqual(5);
  });
});

describe('the telemetry catalogue schema', () => {
  it('describes the catalogue document', () => {
    const catalogue = catalogueJsonSchema();

    expectDescribed(catalogueDocumentSchema, catalogue);
  });
});
