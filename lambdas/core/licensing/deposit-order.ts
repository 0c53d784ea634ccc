/** Deposits a processed purchase order's licence lines into a Smart Account, once per order id. */
import * as z from 'zod';
import { canonicalJson, sha256 } from '../canonical-json';
import type { UserDirectory } from '../accounts/users';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../errors';
import type { Principal } from './access';
import { assertRole } from './access';
import { careLevelSchema, careRank, productSchema, regionSchema, type Allocation, type Product } from './catalogue';
import type { LicensingDeps } from './deps';
import { assertInstallationsFitOneChange, retryStale } from './deps';
import { assertHomeRegion } from './home-region';
import { accountIdSchema, resellerIdSchema } from './ids';
import type { ProductPool, SmartAccount } from './model';
import { CommitRejected, type OrderCommit, type PoolChange } from './repository';

const isoDateTime = z.iso.datetime({ offset: true });
const quantity = z.number().int().min(1).max(100_000);

const perpetualLine = z
  .object({
    product: productSchema,
    quantity,
    kind: z.literal('perpetual'),
    care: z.object({ level: careLevelSchema, endsAt: isoDateTime }).strict().optional(),
  })
  .strict();

const subscriptionLine = z
  .object({
    product: productSchema,
    quantity,
    kind: z.literal('subscription'),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
  })
  .strict()
  .refine((line) => Date.parse(line.endsAt) > Date.parse(line.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });

export const orderLineSchema = z.discriminatedUnion('kind', [perpetualLine, subscriptionLine]);
export type OrderLine = z.infer<typeof orderLineSchema>;

export const orderBodySchema = z
  .object({
    account: z.union([
      z.object({ id: accountIdSchema }).strict(),
      z
        .object({
          create: z
            .object({
              name: z.string().trim().min(1).max(200),
              region: regionSchema,
              resellerId: resellerIdSchema.optional(),
            })
            .strict(),
        })
        .strict(),
    ]),
    lines: z.array(orderLineSchema).min(1).max(50),
    /**
     * the new customer's first administrator, invited once the account exists (a reseller's order
     * for a new customer names one); its e-mail goes to the user directory only, never the table
     */
    admin: z
      .object({
        email: z.string().trim().toLowerCase().email('enter an e-mail address like name@example.com').max(254),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((order) => !order.admin || 'create' in order.account, {
    message: 'an administrator is invited only with an account the order creates (account.create)',
    path: ['admin'],
  });
export type OrderBody = z.infer<typeof orderBodySchema>;

export const orderIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash, underscore; at most 64');

export interface OrderResult {
  orderId: string;
  accountId: string;
  accountCreated: boolean;
  lines: OrderLine[];
  /** true when the order named an administrator to invite (the e-mail itself is not kept here) */
  adminInvited?: boolean;
  depositedAt: string;
}

/** Merges new lines into a product's pool terms: capacity adds up, later end dates and higher Care win. */
export function mergePoolTerms(pool: Pick<ProductPool, 'kind' | 'expiresAt' | 'care'> | undefined, lines: OrderLine[]) {
  let kind = pool?.kind;
  let expiresAt = pool?.expiresAt;
  let care = pool?.care;
  for (const line of lines) {
    kind = kind === 'perpetual' || line.kind === 'perpetual' ? 'perpetual' : 'subscription';
    if (line.kind === 'subscription') {
      if (!expiresAt || Date.parse(line.endsAt) > Date.parse(expiresAt))
        expiresAt = new Date(line.endsAt).toISOString();
    } else if (line.care) {
      const endsAt = new Date(line.care.endsAt).toISOString();
      const level = !care || careRank[line.care.level] > careRank[care.level] ? line.care.level : care.level;
      const latest = !care || Date.parse(endsAt) > Date.parse(care.expiresAt) ? endsAt : care.expiresAt;
      care = { level, expiresAt: latest };
    }
  }
  return { kind: kind ?? 'perpetual', expiresAt, care } as const;
}

/**
 * Invites the order's administrator into the account. After the commit, so the account exists;
 * a replay of the order invites again, and an existing user (the first attempt's) is no error:
 * re-sending the order is how a failed invitation is retried.
 */
async function inviteAdmin(directory: UserDirectory | undefined, accountId: string, body: OrderBody): Promise<void> {
  if (!body.admin) return;
  if (!directory) throw new Error('depositOrder: an order with an administrator needs the user directory');
  try {
    await directory.invite(accountId, body.admin.email);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

export async function depositOrder(
  deps: LicensingDeps,
  principal: Principal,
  orderId: string,
  body: OrderBody,
  directory?: UserDirectory,
): Promise<{ created: boolean; result: OrderResult }> {
  assertRole(principal, 'backoffice');
  // An order that creates an account is served in the region it names: that is the account's home.
  if ('create' in body.account) assertHomeRegion(body.account.create.region, deps.here);
  const deposited = await depositOrderLines(deps, principal, orderId, body);
  await inviteAdmin(directory, deposited.result.accountId, body);
  return deposited;
}

async function depositOrderLines(
  deps: LicensingDeps,
  principal: Principal,
  orderId: string,
  body: OrderBody,
): Promise<{ created: boolean; result: OrderResult }> {
  const bodyHash = sha256(canonicalJson(body));

  const replay = async () => {
    const existing = await deps.repo.getOrder(orderId);
    if (!existing) return undefined;
    if (existing.bodyHash !== bodyHash) {
      throw new ConflictError(`Order ${orderId} was already deposited with different content.`);
    }
    return { created: false, result: existing.result as unknown as OrderResult };
  };

  const earlier = await replay();
  if (earlier) return earlier;

  const accountCreated = 'create' in body.account;
  const accountId = 'id' in body.account ? body.account.id : deps.ids.id('acc_');

  try {
    return await retryStale(
      async () => {
        const now = deps.clock.now().toISOString();
        const state = accountCreated ? null : await deps.repo.getAccountState(accountId);
        if (!accountCreated && !state) throw new NotFoundError(`Account ${accountId} does not exist.`);
        if (state) assertHomeRegion(state.account.region, deps.here);

        const byProduct = new Map<Product, OrderLine[]>();
        for (const line of body.lines) byProduct.set(line.product, [...(byProduct.get(line.product) ?? []), line]);

        const follower = state?.installations.find(
          (i) => i.installationId === state.account.followerInstallationId && i.status === 'active',
        );
        const grant: Allocation = {};
        const pools: PoolChange[] = [...byProduct.entries()].map(([product, lines]) => {
          const added = lines.reduce((sum, l) => sum + l.quantity, 0);
          const terms = mergePoolTerms(
            state?.pools.find((p) => p.product === product),
            lines,
          );
          if (follower) grant[product] = added;
          return {
            product,
            addCapacity: added,
            addFree: follower ? 0 : added,
            addAllocated: follower ? added : 0,
            kind: terms.kind,
            ...(terms.expiresAt ? { expiresAt: terms.expiresAt } : {}),
            ...(terms.care ? { care: terms.care } : {}),
          };
        });

        const active = state?.installations.filter((i) => i.status === 'active').map((i) => i.installationId) ?? [];
        assertInstallationsFitOneChange(accountId, active.length);

        const result: OrderResult = {
          orderId,
          accountId,
          accountCreated,
          lines: body.lines,
          ...(body.admin && { adminInvited: true }),
          depositedAt: now,
        };
        const account: OrderCommit['account'] =
          'create' in body.account
            ? {
                kind: 'create',
                record: {
                  accountId,
                  name: body.account.create.name,
                  region: body.account.create.region,
                  ...(body.account.create.resellerId ? { resellerId: body.account.create.resellerId } : {}),
                  telemetryEnabled: true,
                  termsRev: 1,
                  installSeq: 0,
                  createdAt: now,
                } satisfies SmartAccount,
              }
            : {
                kind: 'existing',
                accountId,
                expectedInstallSeq: state!.account.installSeq,
                expectedTermsRev: state!.account.termsRev,
              };

        await deps.repo.commitOrder({
          order: { orderId, bodyHash, accountId, result: result as unknown as Record<string, unknown>, createdAt: now },
          account,
          pools,
          ...(follower ? { followerGrant: { installationId: follower.installationId, add: grant } } : {}),
          touchInstallations: active,
          audit: {
            accountId,
            at: now,
            eventId: deps.ids.id('evt_'),
            actor: { kind: principal.role, id: principal.sub },
            action: 'order.deposited',
            details: { orderId, lines: body.lines, ...(follower ? { grantedTo: follower.installationId } : {}) },
          },
        });
        return { created: true, result };
      },
      (e) => e instanceof CommitRejected && e.reason === 'stale',
    );
  } catch (error) {
    if (error instanceof CommitRejected && error.reason === 'order-exists') {
      const raced = await replay();
      if (raced) return raced;
    }
    if (error instanceof CommitRejected && error.reason === 'stale') {
      throw new ServiceUnavailableError('The account is changing right now; retry the order.', 1);
    }
    throw error;
  }
}
