/**
 * What the licensing routes answer, as schemas: the contract's shape of each use case's result,
 * described in the OpenAPI document (a unit test holds each to its result type).
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { careLevelSchema, licenseKindSchema, productSchema, regionSchema } from './catalogue';
import { orderLineSchema } from './deposit-order';

const instant = z.iso.datetime({ offset: true });
const accountIdSchema = withMeta(z.string(), { description: 'acc_…' });

/** An allocation as held: products with a quantity of 1 or more (none at 0). */
export const heldAllocationSchema = withMeta(z.partialRecord(productSchema, z.int().check(z.gte(1))), {
  id: 'Allocation',
  description: 'product → quantity; a product left out has none',
});

export const telemetrySwitchSchema = withMeta(z.object({ enabled: z.boolean() }), {
  id: 'TelemetrySwitch',
  description: "The account's telemetry switch.",
});

export const activationResultSchema = withMeta(
  z.object({
    installationId: z.string(),
    accountId: accountIdSchema,
    region: withMeta(regionSchema, { description: "the account's home region" }),
    license: withMeta(z.string(), { description: 'the signed licence: a compact JWS (ES256, typ ucx-license+jwt)' }),
    nextPollSeconds: z.int().check(z.positive()),
    telemetry: telemetrySwitchSchema,
  }),
  { id: 'Activation', description: 'The activated installation and its first licence.' },
);

/** A licence-signing public key (P-256), as the JWKS lists it. */
export const signingJwkSchema = withMeta(
  z.object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    kid: withMeta(z.string(), { description: 'RFC 7638 thumbprint; the licence header names it' }),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
  }),
  { id: 'SigningKey' },
);

export const jwksSchema = withMeta(z.object({ keys: z.array(signingJwkSchema) }), {
  id: 'Jwks',
  description: "Every region's licence-signing public key: a licence from either verifies.",
});

export const offlineActivationResultSchema = withMeta(z.extend(activationResultSchema, { jwks: jwksSchema }), {
  id: 'OfflineActivation',
  description: 'The response file: the activation and the keys to pin.',
});

export const licenseResponseSchema = withMeta(
  z.object({
    license: withMeta(z.string(), { description: 'the signed licence: a compact JWS (ES256, typ ucx-license+jwt)' }),
    nextPollSeconds: z.int().check(z.positive()),
  }),
  { id: 'LicensePoll' },
);

export const orderResultSchema = withMeta(
  z.object({
    orderId: z.string(),
    accountId: accountIdSchema,
    accountCreated: z.boolean(),
    lines: withMeta(z.array(orderLineSchema), { description: 'the lines as deposited' }),
    adminInvited: withMeta(z.optional(z.boolean()), {
      description:
        'whether the administrator the order named was invited (or already a user of the account); false: no invitation was sent',
    }),
    adminNotInvitedReason: withMeta(z.optional(z.enum(['user-of-another-account', 'user-with-another-role'])), {
      description: 'why not, when adminInvited is false',
    }),
    depositedAt: instant,
  }),
  { id: 'Order', description: 'A deposited order.' },
);

const careCoverSchema = withMeta(z.object({ level: careLevelSchema, expiresAt: instant }), {
  description: 'the Care covering the product now, until expiresAt (renewals already deposited counted)',
});

export const entitlementSchema = withMeta(
  z.object({
    entitlementId: withMeta(z.string(), {
      description: '`<orderId>#<line number>`; `pool`: what was deposited before each line was kept apart',
    }),
    product: productSchema,
    kind: z.enum(['perpetual', 'subscription', 'care']),
    quantity: withMeta(z.int().check(z.gte(0)), {
      description: 'what it adds to the capacity while active (0: a care line)',
    }),
    startsAt: withMeta(z.optional(instant), { description: 'absent: since always' }),
    endsAt: withMeta(z.optional(instant), { description: 'subscriptions: the first instant it no longer counts' }),
    care: z.optional(z.object({ level: careLevelSchema, startsAt: z.optional(instant), endsAt: instant })),
    status: withMeta(z.enum(['scheduled', 'active', 'ended']), {
      description: 'now: not started yet, counting, or over (a care line: its Care period)',
    }),
  }),
  { id: 'Entitlement', description: 'One order line as deposited: nothing is merged away.' },
);

export const productPoolSchema = withMeta(
  z.object({
    product: productSchema,
    capacity: withMeta(z.int().check(z.gte(0)), { description: 'what the entitlements active now give' }),
    allocated: z.int().check(z.gte(0)),
    free: withMeta(z.int().check(z.gte(0)), { description: 'capacity − allocated, never below 0' }),
    kind: withMeta(licenseKindSchema, { description: 'perpetual only when all of the capacity is' }),
    expiresAt: withMeta(z.optional(instant), {
      description: 'the first instant the capacity would drop if nothing more were deposited',
    }),
    care: z.optional(careCoverSchema),
    shortfall: withMeta(z.optional(z.object({ quantity: z.int().check(z.gte(1)), enforcedAt: instant })), {
      description:
        'more allocated than the capacity covers: installations keep it until enforcedAt, then their licences carry only what is covered (newest installations first)',
    }),
    entitlements: z.array(entitlementSchema),
  }),
  { id: 'ProductPool', description: 'One product as it stands now, and the entitlements it comes from.' },
);

export const staleReleaseSettingSchema = withMeta(
  z.object({
    enabled: z.boolean(),
    afterDays: withMeta(z.int(), { description: 'days of silence before release; notice 7 days before' }),
  }),
  { id: 'StaleReleaseSetting', description: 'Automatic release of stale installations (off by default).' },
);

export const accountInstallationSchema = withMeta(
  z.object({
    installationId: z.string(),
    status: z.enum(['active', 'deactivated']),
    allocation: heldAllocationSchema,
    nodes: z.array(z.string()),
    suiteVersion: z.string(),
    activatedAt: instant,
    deactivatedAt: z.optional(instant),
    lastPollAt: withMeta(z.nullable(instant), {
      description:
        'the last contact: a poll is recorded at most once an hour, a telemetry request at most once in 6 hours (the installations health list has the exact last beat); null: none recorded, or deactivated',
    }),
    stale: withMeta(z.boolean(), {
      description:
        'active and not heard from (last poll, or activation if it never polled) for longer than the configured staleAfterDays: release it if the server was reinstalled or retired',
    }),
  }),
  { id: 'AccountInstallation' },
);

export const accountViewSchema = withMeta(
  z.object({
    accountId: accountIdSchema,
    name: z.string(),
    region: withMeta(regionSchema, { description: 'home region' }),
    resellerId: z.optional(z.string()),
    status: withMeta(z.enum(['open', 'closed']), {
      description: 'closed: see closedAt and eraseAfter (docs/retention.md)',
    }),
    closedAt: z.optional(instant),
    eraseAfter: withMeta(z.optional(instant), { description: "when the closed account's erasable data goes" }),
    telemetry: telemetrySwitchSchema,
    products: z.array(productPoolSchema),
    installations: z.array(accountInstallationSchema),
    staleRelease: z.optional(staleReleaseSettingSchema),
  }),
  { id: 'Account', description: 'A Smart Account: its products with capacity and terms, its installations.' },
);

export const activationKeyResultSchema = withMeta(
  z.object({
    activationKey: withMeta(z.string(), { description: 'single-use; shown once, stored only as a hash' }),
    keyId: withMeta(z.string(), { description: "akey_…: the key's id in the account's key list" }),
    expiresAt: instant,
    allocation: heldAllocationSchema,
  }),
  { id: 'ActivationKey' },
);

export const allocationChangeResultSchema = withMeta(
  z.object({
    installationId: z.string(),
    allocation: withMeta(heldAllocationSchema, {
      description: "the installation's allocation now (products at 0 left out)",
    }),
  }),
  { id: 'AllocationChange' },
);

export const resellerAccountSchema = withMeta(
  z.object({
    accountId: accountIdSchema,
    name: z.string(),
    region: regionSchema,
    summary: z.optional(
      z.object({
        installations: withMeta(z.int().check(z.gte(0)), { description: 'active installations' }),
        renewalsDue: withMeta(z.int().check(z.gte(0)), {
          description: 'subscriptions and Care ending within 90 days (or ended in the last 30)',
        }),
        nextRenewalAt: z.optional(instant),
        openFindings: withMeta(z.nullable(z.int().check(z.gte(0))), {
          description: 'null: the account is homed in the other region, whose findings live there',
        }),
      }),
    ),
  }),
  { id: 'ResellerAccount' },
);

export const resellerAccountsSchema = withMeta(
  z.object({
    resellerId: z.string(),
    accounts: withMeta(z.array(resellerAccountSchema), { description: 'by name' }),
  }),
  { id: 'ResellerAccounts' },
);

export const auditEventSchema = withMeta(
  z.object({
    accountId: accountIdSchema,
    at: instant,
    eventId: z.string(),
    actor: z.object({
      kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
      id: withMeta(z.string(), {
        description: 'opaque subject id (token sub, installation id): never a name or an e-mail',
      }),
    }),
    action: withMeta(z.string(), { description: 'e.g. order.deposited, installation.activated' }),
    details: z.record(z.string(), z.unknown()),
    by: withMeta(z.optional(z.string()), {
      description:
        "the actor in words, resolved when read: a person's e-mail, 'back office', 'agent of installation …'",
    }),
  }),
  { id: 'AuditEvent' },
);

export const auditPageSchema = withMeta(
  z.object({
    events: withMeta(z.array(auditEventSchema), { description: 'newest first' }),
    nextCursor: withMeta(z.nullable(z.string()), { description: 'the `cursor` of the next page; null: no more' }),
  }),
  { id: 'AuditPage' },
);

const actorSchema = z.object({
  kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
  id: z.string(),
});

export const activationKeyViewSchema = withMeta(
  z.object({
    keyId: z.string(),
    hint: withMeta(z.string(), { description: "the key's last four characters (the key itself is never stored)" }),
    state: z.enum(['open', 'used', 'revoked', 'expired']),
    createdAt: instant,
    createdBy: actorSchema,
    createdByName: withMeta(z.string(), {
      description: "who created it, in words: a person's e-mail, 'back office', …",
    }),
    expiresAt: instant,
    allocation: heldAllocationSchema,
    followsPool: z.boolean(),
    usedBy: withMeta(z.optional(z.string()), { description: 'the installation it activated' }),
    usedAt: z.optional(instant),
    revokedAt: z.optional(instant),
    revokedBy: z.optional(actorSchema),
  }),
  { id: 'ActivationKeyListing' },
);

export const activationKeyListSchema = withMeta(
  z.object({ keys: withMeta(z.array(activationKeyViewSchema), { description: 'newest first' }) }),
  { id: 'ActivationKeyList' },
);
