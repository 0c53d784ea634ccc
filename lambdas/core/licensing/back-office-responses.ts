/** What the back office's search, recent-orders and preview routes answer, as schemas (OpenAPI). */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { careLevelSchema, regionSchema } from './catalogue';
import { entitlementSchema, productPoolSchema } from './responses';

const instant = z.iso.datetime({ offset: true });
const careCover = z.object({ level: careLevelSchema, expiresAt: instant });

export const accountMatchSchema = withMeta(
  z.object({
    accountId: z.string(),
    name: z.string(),
    region: regionSchema,
    resellerId: z.optional(z.string()),
    createdAt: instant,
    status: z.enum(['open', 'closed']),
    closedAt: z.optional(instant),
    eraseAfter: withMeta(z.optional(instant), { description: "when the closed account's erasable data goes" }),
    admins: withMeta(z.optional(z.array(z.string())), { description: 'the administrators’ e-mails' }),
    matchedBy: z.enum(['id', 'name', 'email', 'reseller', 'installation', 'created']),
  }),
  { id: 'AccountMatch' },
);

export const accountSearchResultSchema = withMeta(
  z.object({
    accounts: z.array(accountMatchSchema),
    nextCursor: withMeta(z.optional(z.string()), { description: '`createdSince` only: the next page’s cursor' }),
    truncated: withMeta(z.optional(z.boolean()), {
      description: 'a name search read its bound of the index before the end: narrow the words',
    }),
  }),
  { id: 'AccountSearchResult' },
);

export const recentOrdersSchema = withMeta(
  z.object({
    orders: z.array(
      z.object({
        orderId: z.string(),
        accountId: z.string(),
        createdAt: instant,
        accountCreated: z.boolean(),
        lines: withMeta(z.array(z.record(z.string(), z.unknown())), { description: 'the lines as deposited' }),
      }),
    ),
    nextCursor: z.optional(z.string()),
  }),
  { id: 'RecentOrders', description: 'Orders deposited since the date, newest first.' },
);

export const orderPreviewSchema = withMeta(
  z.object({
    orderId: z.string(),
    accountId: withMeta(z.optional(z.string()), { description: 'absent: the order creates the account' }),
    accountCreated: z.boolean(),
    alreadyDeposited: withMeta(z.boolean(), {
      description: 'this order id was deposited with this body: nothing changes',
    }),
    at: withMeta(instant, { description: 'the instant the preview is for' }),
    products: z.array(
      z.extend(z.omit(productPoolSchema, { entitlements: true }), {
        subscriptionEndsAt: z.optional(instant),
        changes: withMeta(
          z.array(z.object({ at: instant, capacity: z.int().check(z.gte(0)), care: z.optional(careCover) })),
          { description: 'what the product grants from each later change on' },
        ),
      }),
    ),
    entitlements: z.array(entitlementSchema),
    followerGrant: withMeta(z.optional(z.object({ installationId: z.string(), add: z.record(z.string(), z.int()) })), {
      description: 'what the account’s follower installation would be granted now',
    }),
  }),
  { id: 'OrderPreview', description: 'What the account will hold after the deposit; nothing is written.' },
);
