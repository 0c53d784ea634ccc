/**
 * What the licensing routes answer, as schemas: the contract's shape of each use case's result,
 * described in the OpenAPI document (a unit test holds each to its result type).
 */
import * as z from 'zod';
import { careLevelSchema, licenseKindSchema, productSchema, regionSchema } from './catalogue';
import { orderLineSchema } from './deposit-order';

const instant = z.iso.datetime({ offset: true });
const accountIdSchema = z.string().meta({ description: 'acc_…' });

/** An allocation as held: products with a quantity of 1 or more (none at 0). */
export const heldAllocationSchema = z
  .partialRecord(productSchema, z.number().int().min(1))
  .meta({ id: 'Allocation', description: 'product → quantity; a product left out has none' });

export const telemetrySwitchSchema = z
  .object({ enabled: z.boolean() })
  .meta({ id: 'TelemetrySwitch', description: "The account's telemetry switch." });

export const activationResultSchema = z
  .object({
    installationId: z.string(),
    accountId: accountIdSchema,
    region: regionSchema.meta({ description: "the account's home region" }),
    license: z.string().meta({ description: 'the signed licence: a compact JWS (ES256, typ ucx-license+jwt)' }),
    nextPollSeconds: z.number().int().positive(),
    telemetry: telemetrySwitchSchema,
  })
  .meta({ id: 'Activation', description: 'The activated installation and its first licence.' });

/** A licence-signing public key (P-256), as the JWKS lists it. */
export const signingJwkSchema = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    kid: z.string().meta({ description: 'RFC 7638 thumbprint; the licence header names it' }),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
  })
  .meta({ id: 'SigningKey' });

export const jwksSchema = z
  .object({ keys: z.array(signingJwkSchema) })
  .meta({ id: 'Jwks', description: "Every region's licence-signing public key: a licence from either verifies." });

export const offlineActivationResultSchema = activationResultSchema
  .extend({ jwks: jwksSchema })
  .meta({ id: 'OfflineActivation', description: 'The response file: the activation and the keys to pin.' });

export const licenseResponseSchema = z
  .object({
    license: z.string().meta({ description: 'the signed licence: a compact JWS (ES256, typ ucx-license+jwt)' }),
    nextPollSeconds: z.number().int().positive(),
  })
  .meta({ id: 'LicensePoll' });

export const orderResultSchema = z
  .object({
    orderId: z.string(),
    accountId: accountIdSchema,
    accountCreated: z.boolean(),
    lines: z.array(orderLineSchema).meta({ description: 'the lines as deposited' }),
    adminInvited: z.boolean().optional().meta({
      description:
        'whether the administrator the order named was invited (or already a user of the account); false: no invitation was sent',
    }),
    adminNotInvitedReason: z
      .enum(['user-of-another-account', 'user-with-another-role'])
      .optional()
      .meta({ description: 'why not, when adminInvited is false' }),
    depositedAt: instant,
  })
  .meta({ id: 'Order', description: 'A deposited order.' });

const careCoverSchema = z
  .object({ level: careLevelSchema, expiresAt: instant })
  .meta({ description: 'the Care covering the product now, until expiresAt (renewals already deposited counted)' });

export const entitlementSchema = z
  .object({
    entitlementId: z
      .string()
      .meta({ description: '`<orderId>#<line number>`; `pool`: what was deposited before each line was kept apart' }),
    product: productSchema,
    kind: z.enum(['perpetual', 'subscription', 'care']),
    quantity: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'what it adds to the capacity while active (0: a care line)' }),
    startsAt: instant.optional().meta({ description: 'absent: since always' }),
    endsAt: instant.optional().meta({ description: 'subscriptions: the first instant it no longer counts' }),
    care: z.object({ level: careLevelSchema, startsAt: instant.optional(), endsAt: instant }).optional(),
    status: z
      .enum(['scheduled', 'active', 'ended'])
      .meta({ description: 'now: not started yet, counting, or over (a care line: its Care period)' }),
  })
  .meta({ id: 'Entitlement', description: 'One order line as deposited: nothing is merged away.' });

export const productPoolSchema = z
  .object({
    product: productSchema,
    capacity: z.number().int().min(0).meta({ description: 'what the entitlements active now give' }),
    allocated: z.number().int().min(0),
    free: z.number().int().min(0).meta({ description: 'capacity − allocated, never below 0' }),
    kind: licenseKindSchema.meta({ description: 'perpetual only when all of the capacity is' }),
    expiresAt: instant
      .optional()
      .meta({ description: 'the first instant the capacity would drop if nothing more were deposited' }),
    care: careCoverSchema.optional(),
    shortfall: z
      .object({ quantity: z.number().int().min(1), enforcedAt: instant })
      .optional()
      .meta({
        description:
          'more allocated than the capacity covers: installations keep it until enforcedAt, then their licences carry only what is covered (newest installations first)',
      }),
    entitlements: z.array(entitlementSchema),
  })
  .meta({ id: 'ProductPool', description: 'One product as it stands now, and the entitlements it comes from.' });

export const staleReleaseSettingSchema = z
  .object({
    enabled: z.boolean(),
    afterDays: z.number().int().meta({ description: 'days of silence before release; notice 7 days before' }),
  })
  .meta({ id: 'StaleReleaseSetting', description: 'Automatic release of stale installations (off by default).' });

export const accountInstallationSchema = z
  .object({
    installationId: z.string(),
    status: z.enum(['active', 'deactivated']),
    allocation: heldAllocationSchema,
    nodes: z.array(z.string()),
    suiteVersion: z.string(),
    activatedAt: instant,
    deactivatedAt: instant.optional(),
    lastPollAt: instant
      .nullable()
      .meta({ description: 'recorded at most once an hour; null: no poll recorded, or deactivated' }),
    stale: z.boolean().meta({
      description:
        'active and not heard from (last poll, or activation if it never polled) for longer than the configured staleAfterDays: release it if the server was reinstalled or retired',
    }),
  })
  .meta({ id: 'AccountInstallation' });

export const accountViewSchema = z
  .object({
    accountId: accountIdSchema,
    name: z.string(),
    region: regionSchema.meta({ description: 'home region' }),
    resellerId: z.string().optional(),
    status: z.enum(['open', 'closed']).meta({ description: 'closed: see closedAt and eraseAfter (docs/retention.md)' }),
    closedAt: instant.optional(),
    eraseAfter: instant.optional().meta({ description: "when the closed account's erasable data goes" }),
    telemetry: telemetrySwitchSchema,
    products: z.array(productPoolSchema),
    installations: z.array(accountInstallationSchema),
    staleRelease: staleReleaseSettingSchema.optional(),
  })
  .meta({ id: 'Account', description: 'A Smart Account: its products with capacity and terms, its installations.' });

export const activationKeyResultSchema = z
  .object({
    activationKey: z.string().meta({ description: 'single-use; shown once, stored only as a hash' }),
    keyId: z.string().meta({ description: "akey_…: the key's id in the account's key list" }),
    expiresAt: instant,
    allocation: heldAllocationSchema,
  })
  .meta({ id: 'ActivationKey' });

export const allocationChangeResultSchema = z
  .object({
    installationId: z.string(),
    allocation: heldAllocationSchema.meta({
      description: "the installation's allocation now (products at 0 left out)",
    }),
  })
  .meta({ id: 'AllocationChange' });

export const resellerAccountSchema = z
  .object({
    accountId: accountIdSchema,
    name: z.string(),
    region: regionSchema,
    summary: z
      .object({
        installations: z.number().int().min(0).meta({ description: 'active installations' }),
        renewalsDue: z
          .number()
          .int()
          .min(0)
          .meta({ description: 'subscriptions and Care ending within 90 days (or ended in the last 30)' }),
        nextRenewalAt: instant.optional(),
        openFindings: z
          .number()
          .int()
          .min(0)
          .nullable()
          .meta({ description: 'null: the account is homed in the other region, whose findings live there' }),
      })
      .optional(),
  })
  .meta({ id: 'ResellerAccount' });

export const resellerAccountsSchema = z
  .object({ resellerId: z.string(), accounts: z.array(resellerAccountSchema).meta({ description: 'by name' }) })
  .meta({ id: 'ResellerAccounts' });

export const auditEventSchema = z
  .object({
    accountId: accountIdSchema,
    at: instant,
    eventId: z.string(),
    actor: z.object({
      kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
      id: z.string().meta({ description: 'opaque subject id (token sub, installation id): never a name or an e-mail' }),
    }),
    action: z.string().meta({ description: 'e.g. order.deposited, installation.activated' }),
    details: z.record(z.string(), z.unknown()),
    by: z.string().optional().meta({
      description:
        "the actor in words, resolved when read: a person's e-mail, 'back office', 'agent of installation …'",
    }),
  })
  .meta({ id: 'AuditEvent' });

export const auditPageSchema = z
  .object({
    events: z.array(auditEventSchema).meta({ description: 'newest first' }),
    nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null: no more' }),
  })
  .meta({ id: 'AuditPage' });

const actorSchema = z.object({
  kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
  id: z.string(),
});

export const activationKeyViewSchema = z
  .object({
    keyId: z.string(),
    hint: z.string().meta({ description: "the key's last four characters (the key itself is never stored)" }),
    state: z.enum(['open', 'used', 'revoked', 'expired']),
    createdAt: instant,
    createdBy: actorSchema,
    createdByName: z.string().meta({ description: "who created it, in words: a person's e-mail, 'back office', …" }),
    expiresAt: instant,
    allocation: heldAllocationSchema,
    followsPool: z.boolean(),
    usedBy: z.string().optional().meta({ description: 'the installation it activated' }),
    usedAt: instant.optional(),
    revokedAt: instant.optional(),
    revokedBy: actorSchema.optional(),
  })
  .meta({ id: 'ActivationKeyListing' });

export const activationKeyListSchema = z
  .object({ keys: z.array(activationKeyViewSchema).meta({ description: 'newest first' }) })
  .meta({ id: 'ActivationKeyList' });
