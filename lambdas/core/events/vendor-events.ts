/**
 * Licence and account events for the vendor's systems (ERP, CRM), derived from the audit log: every
 * audited action that a vendor system acts on maps to one or more EventBridge events, each detail
 * type with a versioned schema (docs/events.md). An action that maps to none is not published.
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { productSchema } from '../licensing/catalogue';
import type { AuditEvent } from '../licensing/model';

export const LICENSING_SOURCE = 'ucx.licensing';
export const ACCOUNTS_SOURCE = 'ucx.accounts';
/** Bumped when a detail changes incompatibly; consumers match on `detail.version`. */
export const DETAIL_VERSION = 1;

const instant = z.iso.datetime({ offset: true });
const allocation = z.partialRecord(productSchema, z.int().check(z.gte(0)));

/** What every detail carries: the audit event it came from (its id is the idempotency key). */
const envelope = z.object({
  version: z.literal(DETAIL_VERSION),
  eventId: withMeta(z.string(), {
    description: 'the audit event’s id: the same event delivered twice has the same id',
  }),
  accountId: z.string(),
  at: instant,
  actor: z.object({
    kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
    id: withMeta(z.string(), { description: 'opaque (a Cognito sub, an installation id): never a name or an e-mail' }),
  }),
});

const orderLine = withMeta(
  z.object({
    product: productSchema,
    kind: z.enum(['perpetual', 'subscription', 'care']),
    quantity: z.optional(z.int().check(z.gte(0))),
    startsAt: z.optional(instant),
    endsAt: z.optional(instant),
    care: z.optional(z.object({ level: z.string(), startsAt: z.optional(instant), endsAt: z.optional(instant) })),
  }),
  { description: 'an order line as deposited' },
);

/** Every detail type the vendor bus carries, by source and name. */
export const vendorEventSchemas = {
  'Order Deposited': {
    source: LICENSING_SOURCE,
    detail: z.extend(envelope, {
      orderId: z.string(),
      accountCreated: z.boolean(),
      lines: z.array(orderLine),
      grantedTo: withMeta(z.optional(z.string()), { description: 'the follower installation granted new capacity' }),
    }),
  },
  'Activation Key Created': {
    source: LICENSING_SOURCE,
    detail: z.extend(envelope, { allocation: z.optional(allocation), expiresAt: z.optional(instant) }),
  },
  'Installation Activated': {
    source: LICENSING_SOURCE,
    detail: z.extend(envelope, {
      installationId: z.string(),
      allocation: allocation,
      suiteVersion: z.optional(z.string()),
    }),
  },
  'Installation Allocation Changed': {
    source: LICENSING_SOURCE,
    detail: z.extend(envelope, { installationId: z.string(), reason: z.enum(['changed', 'reduced']) }),
  },
  'Installation Deactivated': {
    source: LICENSING_SOURCE,
    detail: z.extend(envelope, { installationId: z.string(), released: z.optional(allocation) }),
  },
  'Account Created': {
    source: ACCOUNTS_SOURCE,
    detail: z.extend(envelope, {
      origin: z.enum(['sign-up', 'order']),
      region: z.optional(z.enum(['eu', 'us'])),
      orderId: z.optional(z.string()),
    }),
  },
  'Account Closed': {
    source: ACCOUNTS_SOURCE,
    detail: z.extend(envelope, { eraseAfter: z.optional(instant) }),
  },
  'Account Reopened': { source: ACCOUNTS_SOURCE, detail: envelope },
  'Account Erased': { source: ACCOUNTS_SOURCE, detail: envelope },
  'Account Reseller Changed': {
    source: ACCOUNTS_SOURCE,
    detail: z.extend(envelope, { resellerId: z.nullable(z.string()), previous: z.optional(z.string()) }),
  },
  'Terms Accepted': { source: ACCOUNTS_SOURCE, detail: z.extend(envelope, { termsVersion: z.int() }) },
  'Terms Objected': { source: ACCOUNTS_SOURCE, detail: z.extend(envelope, { termsVersion: z.int() }) },
  'Terms Silent Consent': {
    source: ACCOUNTS_SOURCE,
    detail: z.extend(envelope, { termsVersion: z.int(), effectiveAt: z.optional(instant) }),
  },
} as const;

export type VendorDetailType = keyof typeof vendorEventSchemas;

export interface VendorEvent {
  readonly source: string;
  readonly detailType: VendorDetailType;
  readonly detail: Record<string, unknown>;
  /** the audit event's instant: EventBridge's `time` */
  readonly time: string;
}

/** Where a detail type's fields come from in the audit event's details. */
type Mapping = readonly [VendorDetailType, (details: Record<string, unknown>) => Record<string, unknown>];

const pick = (details: Record<string, unknown>, ...names: string[]) =>
  Object.fromEntries(names.filter((n) => details[n] !== undefined).map((n) => [n, details[n]]));

const byAction: Record<string, (details: Record<string, unknown>) => readonly Mapping[]> = {
  'order.deposited': (d) => [
    ...(d.accountCreated === true
      ? ([['Account Created', () => ({ origin: 'order', ...pick(d, 'orderId', 'region') })]] as const)
      : []),
    [
      'Order Deposited',
      () => ({ accountCreated: d.accountCreated === true, ...pick(d, 'orderId', 'lines', 'grantedTo') }),
    ],
  ],
  'activation-key.created': (d) => [['Activation Key Created', () => pick(d, 'allocation', 'expiresAt')]],
  'installation.activated': (d) => [
    ['Installation Activated', () => pick(d, 'installationId', 'allocation', 'suiteVersion')],
  ],
  'installation.allocation-changed': (d) => [
    ['Installation Allocation Changed', () => ({ ...pick(d, 'installationId'), reason: 'changed' })],
  ],
  'installation.allocation-reduced': (d) => [
    ['Installation Allocation Changed', () => ({ ...pick(d, 'installationId'), reason: 'reduced' })],
  ],
  'installation.deactivated': (d) => [['Installation Deactivated', () => pick(d, 'installationId', 'released')]],
  'account.created': (d) => [['Account Created', () => ({ origin: 'sign-up', ...pick(d, 'region') })]],
  'account.closed': (d) => [['Account Closed', () => pick(d, 'eraseAfter')]],
  'account.reopened': () => [['Account Reopened', () => ({})]],
  'account.erased': () => [['Account Erased', () => ({})]],
  'account.reseller-set': (d) => [['Account Reseller Changed', () => pick(d, 'resellerId', 'previous')]],
  'account.reseller-removed': (d) => [
    ['Account Reseller Changed', () => ({ resellerId: null, ...renamed(d, 'resellerId', 'previous') })],
  ],
  'terms.accepted': (d) => [['Terms Accepted', () => renamed(d, 'version', 'termsVersion')]],
  'terms.objected': (d) => [['Terms Objected', () => renamed(d, 'version', 'termsVersion')]],
  'terms.silent-consent': (d) => [
    ['Terms Silent Consent', () => ({ ...renamed(d, 'version', 'termsVersion'), ...pick(d, 'effectiveAt') })],
  ],
};

function renamed(details: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  return details[from] === undefined ? {} : { [to]: details[from] };
}

/**
 * The events an audited action gives, each detail checked against its schema: an audit event
 * that does not fit (an older shape) is skipped and named, never published half-formed.
 */
export function vendorEventsOf(audit: AuditEvent): { events: VendorEvent[]; skipped: string[] } {
  const mappings = byAction[audit.action]?.(audit.details) ?? [];
  const events: VendorEvent[] = [];
  const skipped: string[] = [];
  for (const [detailType, fields] of mappings) {
    const spec = vendorEventSchemas[detailType];
    const parsed = spec.detail.safeParse({
      version: DETAIL_VERSION,
      eventId: audit.eventId,
      accountId: audit.accountId,
      at: audit.at,
      actor: audit.actor,
      ...fields(audit.details),
    });
    if (parsed.success) events.push({ source: spec.source, detailType, detail: parsed.data, time: audit.at });
    else
      skipped.push(`${detailType}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  return { events, skipped };
}

/** The audit actions that become events (docs/events.md lists them with their detail types). */
export const publishedActions = Object.keys(byAction);
