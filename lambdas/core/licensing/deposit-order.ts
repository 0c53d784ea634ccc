/**
 * Deposits a processed purchase order's licence lines into a Smart Account, once per order id. The
 * account's termsRev goes up once, which every installation's next poll sees; only the follower's
 * own item changes (its grant), however many installations the account has.
 */
import * as z from 'zod/mini';
import { canonicalJson, sha256 } from '../canonical-json';
import type { NotInvitedReason, UserDirectory } from '../accounts/users';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors';
import type { Principal } from './access';
import { assertRole } from './access';
import { careLevelSchema, productSchema, regionSchema, type Allocation, type Product } from './catalogue';
import type { LicensingDeps } from './deps';
import { retryStale } from './deps';
import { assertAccountOpen } from './account-open';
import { assertHomeRegion } from './home-region';
import { accountIdSchema, resellerIdSchema } from './ids';
import { capacityAt, isActiveAt } from './entitlements';
import type { AccountState, Entitlement, SmartAccount } from './model';
import { CommitRejected, type OrderCommit, type PoolDeposit } from './repository';

const isoDateTime = z.iso.datetime({ offset: true });
const quantity = z.int().check(z.gte(1), z.lte(100_000));

const perpetualLine = z.strictObject(
  z.object({
    product: productSchema,
    quantity,
    kind: z.literal('perpetual'),
    care: z.optional(z.strictObject(z.object({ level: careLevelSchema, endsAt: isoDateTime }).shape)),
  }).shape,
);

/**
 * Care on a subscription line covers the subscription (docs/back-office.md): it starts with it and
 * ends with it unless `care.endsAt` says earlier; never after, as nothing is licensed then.
 */
const subscriptionLine = z
  .strictObject(
    z.object({
      product: productSchema,
      quantity,
      kind: z.literal('subscription'),
      startsAt: isoDateTime,
      endsAt: isoDateTime,
      care: z.optional(z.strictObject(z.object({ level: careLevelSchema, endsAt: z.optional(isoDateTime) }).shape)),
    }).shape,
  )
  .check(
    z.refine((line) => Date.parse(line.endsAt) > Date.parse(line.startsAt), {
      message: 'endsAt must be after startsAt',
      path: ['endsAt'],
    }),
    z.refine(
      (line) =>
        line.care?.endsAt === undefined ||
        (Date.parse(line.care.endsAt) > Date.parse(line.startsAt) &&
          Date.parse(line.care.endsAt) <= Date.parse(line.endsAt)),
      { message: 'Care on a subscription ends after its start and no later than its end', path: ['care', 'endsAt'] },
    ),
  );

/** Renews Care for a product the account holds, without new quantity. */
const careLine = z.strictObject(
  z.object({
    product: productSchema,
    quantity: z.optional(z.literal(0)),
    kind: z.literal('care'),
    care: z
      .strictObject(z.object({ level: careLevelSchema, startsAt: z.optional(isoDateTime), endsAt: isoDateTime }).shape)
      .check(
        z.refine((care) => care.startsAt === undefined || Date.parse(care.endsAt) > Date.parse(care.startsAt), {
          message: 'endsAt must be after startsAt',
          path: ['endsAt'],
        }),
      ),
  }).shape,
);

export const orderLineSchema = z.discriminatedUnion('kind', [perpetualLine, subscriptionLine, careLine]);
export type OrderLine = z.infer<typeof orderLineSchema>;

export const orderBodySchema = z
  .strictObject(
    z.object({
      account: z.union([
        z.strictObject(z.object({ id: accountIdSchema }).shape),
        z.strictObject(
          z.object({
            create: z.strictObject(
              z.object({
                name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
                region: regionSchema,
                resellerId: z.optional(resellerIdSchema),
              }).shape,
            ),
          }).shape,
        ),
      ]),
      lines: z.array(orderLineSchema).check(z.minLength(1), z.maxLength(50)),
      /**
       * the new customer's first administrator, invited once the account exists (a reseller's order
       * for a new customer names one); its e-mail goes to the user directory only, never the table
       */
      admin: z.optional(
        z.strictObject(
          z.object({
            email: z
              .email('enter an e-mail address like name@example.com')
              .check(z.trim(), z.toLowerCase(), z.maxLength(254)),
          }).shape,
        ),
      ),
    }).shape,
  )
  .check(
    z.refine((order) => !order.admin || 'create' in order.account, {
      message: 'an administrator is invited only with an account the order creates (account.create)',
      path: ['admin'],
    }),
  );
export type OrderBody = z.infer<typeof orderBodySchema>;

export const orderIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash, underscore; at most 64'));

export interface OrderResult {
  orderId: string;
  accountId: string;
  accountCreated: boolean;
  lines: OrderLine[];
  /** whether the order's administrator was invited (the e-mail itself is not kept here); absent: none named */
  adminInvited?: boolean;
  /** why not, when `adminInvited` is false */
  adminNotInvitedReason?: NotInvitedReason;
  depositedAt: string;
}

/**
 * An order line as the entitlement it becomes (`<orderId>#<line number>`): dates normalised,
 * perpetual capacity and Care counted from the deposit on unless the line names a start.
 */
export function entitlementOf(orderId: string, index: number, line: OrderLine, depositedAt: string): Entitlement {
  const entitlementId = `${orderId}#${String(index + 1).padStart(2, '0')}`;
  const iso = (instant: string) => new Date(instant).toISOString();
  switch (line.kind) {
    case 'perpetual':
      return {
        entitlementId,
        product: line.product,
        kind: 'perpetual',
        quantity: line.quantity,
        startsAt: depositedAt,
        ...(line.care
          ? { care: { level: line.care.level, startsAt: depositedAt, endsAt: iso(line.care.endsAt) } }
          : {}),
      };
    case 'subscription':
      return {
        entitlementId,
        product: line.product,
        kind: 'subscription',
        quantity: line.quantity,
        startsAt: iso(line.startsAt),
        endsAt: iso(line.endsAt),
        ...(line.care
          ? {
              care: {
                level: line.care.level,
                startsAt: iso(line.startsAt),
                endsAt: iso(line.care.endsAt ?? line.endsAt),
              },
            }
          : {}),
      };
    case 'care':
      return {
        entitlementId,
        product: line.product,
        kind: 'care',
        quantity: 0,
        care: {
          level: line.care.level,
          startsAt: line.care.startsAt ? iso(line.care.startsAt) : depositedAt,
          endsAt: iso(line.care.endsAt),
        },
      };
  }
}

/** A care line renews Care of a product the account holds (or this order brings): anything else is a mistake. */
function assertCareOfHeldProducts(lines: readonly OrderLine[], state: AccountState | null): void {
  const held = new Set<Product>([
    ...(state?.pools.map((pool) => pool.product) ?? []),
    ...lines.filter((line) => line.kind !== 'care').map((line) => line.product),
  ]);
  const errors = lines.flatMap((line, n) =>
    line.kind === 'care' && !held.has(line.product)
      ? [{ path: `lines.${n}.product`, message: `the account holds no ${line.product} licences to renew Care for` }]
      : [],
  );
  if (errors.length > 0) throw new ValidationError(errors);
}

/**
 * A line whose Care or subscription would be over when it is deposited is a typing mistake, not
 * a purchase: refused with its path, by the injected clock (a replay of the order is not judged again).
 */
function assertNotOverAt(lines: readonly OrderLine[], now: string): void {
  const t = Date.parse(now);
  const over = (iso: string | undefined) => iso !== undefined && Date.parse(iso) <= t;
  const errors = lines.flatMap((line, n) => {
    const found: { path: string; message: string }[] = [];
    if (line.kind === 'subscription' && over(line.endsAt))
      found.push({ path: `lines.${n}.endsAt`, message: `the subscription would end before its deposit (${now})` });
    if (line.care && over(line.care.endsAt))
      found.push({ path: `lines.${n}.care.endsAt`, message: `Care would end before its deposit (${now})` });
    return found;
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

/** Who may have customers: the reseller records (approved resellers; docs/back-office.md). */
export interface ResellerRegistry {
  /** true when the reseller may be named on an account: approved, or already selling to accounts */
  isKnownReseller(resellerId: string): Promise<boolean>;
}

/** What an order is checked against beyond its own body. */
export interface OrderChecks {
  /** absent: reseller ids are not checked (the order handlers always give it) */
  readonly resellers?: ResellerRegistry;
}

export async function assertOrderReferences(body: OrderBody, checks: OrderChecks): Promise<void> {
  const resellerId = 'create' in body.account ? body.account.create.resellerId : undefined;
  if (resellerId === undefined || !checks.resellers) return;
  if (!(await checks.resellers.isKnownReseller(resellerId)))
    throw new ValidationError([
      { path: 'account.create.resellerId', message: `no approved reseller has the id ${resellerId}` },
    ]);
}

/** What a deposit writes, computed from the account as read: the same for the deposit and its preview. */
export interface DepositPlan {
  readonly entitlements: Entitlement[];
  readonly pools: PoolDeposit[];
  /** the active follower installation and what it is granted now (absent: none, or nothing to grant) */
  readonly followerGrant?: { readonly installationId: string; readonly add: Allocation };
}

export function planDeposit(orderId: string, body: OrderBody, state: AccountState | null, now: string): DepositPlan {
  assertCareOfHeldProducts(body.lines, state);
  assertNotOverAt(body.lines, now);
  const entitlements = body.lines.map((line, n) => entitlementOf(orderId, n, line, now));
  const follower = state?.installations.find(
    (i) => i.installationId === state.account.followerInstallationId && i.status === 'active',
  );
  const grant: Allocation = follower && state ? followerGrant(state, entitlements, Date.parse(now)) : {};
  const pools: PoolDeposit[] = [...new Set(entitlements.map((e) => e.product))].map((product) => ({
    product,
    addAllocated: grant[product] ?? 0,
  }));
  return {
    entitlements,
    pools,
    ...(follower && Object.keys(grant).length > 0
      ? { followerGrant: { installationId: follower.installationId, add: grant } }
      : {}),
  };
}

/**
 * What the follower installation is granted of each product: what the order adds to the capacity
 * now, less any allocation the capacity no longer covers (a shortfall is filled first). Capacity
 * that starts later is left free when it starts.
 */
function followerGrant(state: AccountState, entitlements: readonly Entitlement[], t: number): Allocation {
  const grant: Allocation = {};
  for (const product of new Set(entitlements.map((e) => e.product))) {
    const added = entitlements
      .filter((e) => e.product === product && isActiveAt(e, t))
      .reduce((n, e) => n + e.quantity, 0);
    const allocated = state.pools.find((pool) => pool.product === product)?.allocated ?? 0;
    const uncovered = Math.max(0, allocated - capacityAt(state.entitlements, product, t));
    const granted = Math.max(0, added - uncovered);
    if (granted > 0) grant[product] = granted;
  }
  return grant;
}

/**
 * Invites the order's administrator into the account. After the commit, so the account exists;
 * a replay of the order invites again, which the directory answers as the first time (or completes
 * a half-done invitation): re-sending the order is how a failed invitation is retried.
 */
async function inviteAdmin(
  directory: UserDirectory | undefined,
  accountId: string,
  body: OrderBody,
): Promise<Pick<OrderResult, 'adminInvited' | 'adminNotInvitedReason'>> {
  if (!body.admin) return {};
  if (!directory) throw new Error('depositOrder: an order with an administrator needs the user directory');
  const outcome = await directory.invite(accountId, body.admin.email);
  return outcome.invited ? { adminInvited: true } : { adminInvited: false, adminNotInvitedReason: outcome.reason };
}

export async function depositOrder(
  deps: LicensingDeps,
  principal: Principal,
  orderId: string,
  body: OrderBody,
  directory?: UserDirectory,
  checks: OrderChecks = {},
): Promise<{ created: boolean; result: OrderResult }> {
  assertRole(principal, 'backoffice');
  // An order that creates an account is served in the region it names: that is the account's home.
  if ('create' in body.account) assertHomeRegion(body.account.create.region, deps.here);
  const deposited = await depositOrderLines(deps, principal, orderId, body, checks);
  // What the invitation did this time: never an invitation that was not sent.
  const invitation = await inviteAdmin(directory, deposited.result.accountId, body);
  return { created: deposited.created, result: { ...deposited.result, ...invitation } };
}

async function depositOrderLines(
  deps: LicensingDeps,
  principal: Principal,
  orderId: string,
  body: OrderBody,
  checks: OrderChecks,
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
  await assertOrderReferences(body, checks);

  const accountCreated = 'create' in body.account;
  const accountId = 'id' in body.account ? body.account.id : deps.ids.id('acc_');

  try {
    return await retryStale(
      async () => {
        const now = deps.clock.now().toISOString();
        const state = accountCreated ? null : await deps.repo.getAccountState(accountId);
        if (!accountCreated && !state) throw new NotFoundError(`Account ${accountId} does not exist.`);
        if (state) assertHomeRegion(state.account.region, deps.here);
        if (state) assertAccountOpen(state.account);

        const { entitlements, pools, followerGrant: grant } = planDeposit(orderId, body, state, now);

        const result: OrderResult = {
          orderId,
          accountId,
          accountCreated,
          lines: body.lines,
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
                  origin: 'order',
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
          entitlements,
          pools,
          ...(grant ? { followerGrant: grant } : {}),
          audit: {
            accountId,
            at: now,
            eventId: deps.ids.id('evt_'),
            actor: { kind: principal.role, id: principal.sub },
            action: 'order.deposited',
            details: {
              orderId,
              lines: body.lines,
              ...(grant ? { grantedTo: grant.installationId } : {}),
              // the vendor's 'Account Created' event of an order's new account (core/events/vendor-events.ts)
              ...('create' in body.account && { accountCreated: true, region: body.account.create.region }),
            },
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
