/** What the back office's search, recent-orders and preview routes answer, as schemas (OpenAPI). */
import * as z from 'zod';
import { careLevelSchema, regionSchema } from './catalogue';
import { entitlementSchema, productPoolSchema } from './responses';

const instant = z.iso.datetime({ offset: true });
const careCover = z.object({ level: careLevelSchema, expiresAt: instant });

export const accountMatchSchema = z
  .object({
    accountId: z.string(),
    name: z.string(),
    region: regionSchema,
    resellerId: z.string().optional(),
    createdAt: instant,
    status: z.enum(['open', 'closed']),
    closedAt: instant.optional(),
    eraseAfter: instant.optional().meta({ description: "when the closed account's erasable data goes" }),
    admins: z.array(z.string()).optional().meta({ description: 'the administrators’ e-mails' }),
    matchedBy: z.enum(['id', 'name', 'email', 'reseller', 'installation', 'created']),
  })
  .meta({ id: 'AccountMatch' });

export const accountSearchResultSchema = z
  .object({
    accounts: z.array(accountMatchSchema),
    nextCursor: z.string().optional().meta({ description: '`createdSince` only: the next page’s cursor' }),
    truncated: z
      .boolean()
      .optional()
      .meta({ description: 'a name search read its bound of the index before the end: narrow the words' }),
  })
  .meta({ id: 'AccountSearchResult' });

export const recentOrdersSchema = z
  .object({
    orders: z.array(
      z.object({
        orderId: z.string(),
        accountId: z.string(),
        createdAt: instant,
        accountCreated: z.boolean(),
        lines: z.array(z.record(z.string(), z.unknown())).meta({ description: 'the lines as deposited' }),
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'RecentOrders', description: 'Orders deposited since the date, newest first.' });

export const orderPreviewSchema = z
  .object({
    orderId: z.string(),
    accountId: z.string().optional().meta({ description: 'absent: the order creates the account' }),
    accountCreated: z.boolean(),
    alreadyDeposited: z.boolean().meta({ description: 'this order id was deposited with this body: nothing changes' }),
    at: instant.meta({ description: 'the instant the preview is for' }),
    products: z.array(
      productPoolSchema.omit({ entitlements: true }).extend({
        subscriptionEndsAt: instant.optional(),
        changes: z
          .array(z.object({ at: instant, capacity: z.number().int().min(0), care: careCover.optional() }))
          .meta({ description: 'what the product grants from each later change on' }),
      }),
    ),
    entitlements: z.array(entitlementSchema),
    followerGrant: z
      .object({ installationId: z.string(), add: z.record(z.string(), z.number().int()) })
      .optional()
      .meta({ description: 'what the account’s follower installation would be granted now' }),
  })
  .meta({ id: 'OrderPreview', description: 'What the account will hold after the deposit; nothing is written.' });
