/**
 * Resellers: a signed-in person without an account applies (company, country) and waits; the back
 * office approves, which links the person to the reseller (group `reseller`, `custom:resellerId`).
 * An account's administrator (or the back office) names the approved reseller that acts for the
 * account, or removes it: the account's `resellerId` and the `RES#<reseller>/ACC#<account>` item
 * stay the one source of who acts for whom (licensing/access.ts, list-reseller-accounts.ts).
 */
import * as z from 'zod/mini';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, assertRole, type Principal } from '../licensing/access';
import type { LicensingDeps } from '../licensing/deps';
import { assertHomeRegion } from '../licensing/home-region';
import { accountIdSchema, resellerIdSchema } from '../licensing/ids';
import type { AuditEvent } from '../licensing/model';
import type { LicensingRepository } from '../licensing/repository';
import { assertWithoutAccount, countrySchema, type SignedInPerson } from './person';
import type { UserDirectory } from './users';

export type ResellerStatus = 'pending' | 'approved';

export interface ResellerApplication {
  readonly resellerId: string;
  readonly companyName: string;
  readonly country: string;
  readonly status: ResellerStatus;
  /** the person who applied (directory subject id) */
  readonly applicantSub: string;
  readonly createdAt: string;
  readonly approvedAt?: string;
}

/** Reseller records on the licensing table (dynamodb-resellers.ts). */
export interface ResellerStore {
  /** stores a new application unless the person has one: then returns theirs */
  apply(application: ResellerApplication): Promise<ResellerApplication>;
  get(resellerId: string): Promise<ResellerApplication | null>;
  byApplicant(sub: string): Promise<ResellerApplication | null>;
  listByStatus(status: ResellerStatus): Promise<ResellerApplication[]>;
  /** pending → approved (again: unchanged, true); false when there is no such application */
  approve(resellerId: string, at: string): Promise<boolean>;
  /**
   * sets (or with `to` absent removes) the account's reseller, moving its `RES#…/ACC#…` item, with
   * the audit event, in one commit; refused (ConflictError) if the account's reseller is not `from` any more
   */
  setAccountReseller(change: {
    accountId: string;
    from?: string;
    to?: string;
    name: string;
    region: string;
    audit: AuditEvent;
  }): Promise<void>;
}

export const applyBodySchema = z.strictObject({
  companyName: z.string().check(z.trim(), z.minLength(1, 'enter the company name'), z.maxLength(200)),
  country: countrySchema,
});
export type ApplyBody = z.infer<typeof applyBodySchema>;
export const resellerStatusQuerySchema = z.object({ status: z._default(z.enum(['pending', 'approved']), 'pending') });
export const resellerApprovalParamsSchema = z.object({ resellerId: resellerIdSchema });
export const accountResellerParamsSchema = z.object({ accountId: accountIdSchema });
export const accountResellerBodySchema = z.strictObject({ resellerId: resellerIdSchema });

export interface ResellerDeps extends Pick<LicensingDeps, 'clock' | 'ids'> {
  readonly resellers: ResellerStore;
  readonly directory: UserDirectory;
}

export async function applyAsReseller(
  deps: Pick<ResellerDeps, 'clock' | 'ids' | 'resellers'>,
  person: SignedInPerson,
  body: ApplyBody,
): Promise<{ created: boolean; application: ResellerApplication }> {
  assertWithoutAccount(person);
  const earlier = await deps.resellers.byApplicant(person.sub);
  if (earlier) return { created: false, application: earlier };
  const application = await deps.resellers.apply({
    resellerId: deps.ids.id('res-'),
    companyName: body.companyName,
    country: body.country,
    status: 'pending',
    applicantSub: person.sub,
    createdAt: deps.clock.now().toISOString(),
  });
  return { created: application.applicantSub === person.sub && application.status === 'pending', application };
}

/** The signed-in person's own application, if any (the portal shows "pending"). */
export async function ownResellerApplication(
  deps: Pick<ResellerDeps, 'resellers'>,
  person: SignedInPerson,
): Promise<ResellerApplication> {
  const own = await deps.resellers.byApplicant(person.sub);
  if (!own) throw new NotFoundError('You have not applied as a reseller.');
  return own;
}

export async function listResellerApplications(
  deps: Pick<ResellerDeps, 'resellers'>,
  principal: Principal,
  status: ResellerStatus,
): Promise<{ resellers: ResellerApplication[] }> {
  assertRole(principal, 'backoffice');
  const resellers = await deps.resellers.listByStatus(status);
  return { resellers: [...resellers].sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
}

/** Approves and links the applicant; a retry after a failed link completes it. */
export async function approveReseller(
  deps: ResellerDeps,
  principal: Principal,
  resellerId: string,
): Promise<ResellerApplication> {
  assertRole(principal, 'backoffice');
  const application = await deps.resellers.get(resellerId);
  if (!application) throw new NotFoundError(`No reseller application ${resellerId}.`);
  const at = application.approvedAt ?? deps.clock.now().toISOString();
  if (!(await deps.resellers.approve(resellerId, at)))
    throw new NotFoundError(`No reseller application ${resellerId}.`);
  // An applicant no longer in the directory (or a reseller recorded without one) leaves nobody to link.
  await deps.directory.linkReseller(application.applicantSub, resellerId);
  return { ...application, status: 'approved', approvedAt: at };
}

export interface AccountResellerDeps extends Pick<LicensingDeps, 'clock' | 'ids' | 'here'> {
  readonly repo: Pick<LicensingRepository, 'getAccountState'>;
  readonly resellers: ResellerStore;
}

/** The account's administrator or the back office: not the reseller itself, nor support. */
async function accountForResellerChange(deps: AccountResellerDeps, principal: Principal, accountId: string) {
  assertMayAddressAccount(principal, accountId);
  if (principal.role !== 'customer' && principal.role !== 'backoffice')
    throw new ForbiddenError("Only the account's administrators and the back office choose its reseller.");
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  assertHomeRegion(state.account.region, deps.here);
  return state.account;
}

export async function setAccountReseller(
  deps: AccountResellerDeps,
  principal: Principal,
  accountId: string,
  resellerId: string,
): Promise<{ accountId: string; resellerId: string; companyName: string }> {
  const account = await accountForResellerChange(deps, principal, accountId);
  const reseller = await deps.resellers.get(resellerId);
  if (reseller?.status !== 'approved')
    throw new ConflictError(`${resellerId} is not an approved reseller.`, [
      { path: 'resellerId', message: 'no approved reseller has this id' },
    ]);
  if (account.resellerId !== resellerId) {
    const at = deps.clock.now().toISOString();
    await deps.resellers.setAccountReseller({
      accountId,
      ...(account.resellerId && { from: account.resellerId }),
      to: resellerId,
      name: account.name,
      region: account.region,
      audit: {
        accountId,
        at,
        eventId: deps.ids.id('evt_'),
        actor: { kind: principal.role, id: principal.sub },
        action: 'account.reseller-set',
        details: { resellerId, ...(account.resellerId && { previous: account.resellerId }) },
      },
    });
  }
  return { accountId, resellerId, companyName: reseller.companyName };
}

export async function removeAccountReseller(
  deps: AccountResellerDeps,
  principal: Principal,
  accountId: string,
): Promise<void> {
  const account = await accountForResellerChange(deps, principal, accountId);
  if (!account.resellerId) return;
  const at = deps.clock.now().toISOString();
  await deps.resellers.setAccountReseller({
    accountId,
    from: account.resellerId,
    name: account.name,
    region: account.region,
    audit: {
      accountId,
      at,
      eventId: deps.ids.id('evt_'),
      actor: { kind: principal.role, id: principal.sub },
      action: 'account.reseller-removed',
      details: { resellerId: account.resellerId },
    },
  });
}
