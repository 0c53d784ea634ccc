/**
 * Sign-up that ends in a Smart Account: a verified person without an account creates one (name,
 * home region, country) and becomes its administrator. Served only by the chosen region's API (the
 * user pools are regional): elsewhere 421 names the right one. A retry after a failure between the
 * commit and the directory link finds the person's account (OWNER#<sub>) and completes the link.
 */
import * as z from 'zod/mini';
import { ForbiddenError, NotFoundError } from '../errors';
import { regionSchema } from '../licensing/catalogue';
import type { LicensingDeps } from '../licensing/deps';
import { assertHomeRegion } from '../licensing/home-region';
import type { SmartAccount } from '../licensing/model';
import { CommitRejected } from '../licensing/repository';
import { assertWithoutAccount, countrySchema, type SignedInPerson } from './person';
import { acceptAtSignUp, assertAcceptsTermsInForce, type TermsStore } from './terms';
import type { AccountUser, UserDirectory } from './users';

export const createAccountBodySchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1, 'enter the company or organisation name'), z.maxLength(200)),
  region: regionSchema,
  country: countrySchema,
  /** the version of the terms in force the person accepts (docs/terms.md); absent: none recorded */
  acceptTerms: z.optional(z.int().check(z.positive())),
});
export type CreateAccountBody = z.infer<typeof createAccountBodySchema>;

export interface CreatedAccount {
  accountId: string;
  name: string;
  region: SmartAccount['region'];
  country: string;
  origin: 'sign-up';
  createdAt: string;
  administrator: AccountUser;
  /** the versions of the terms accepted with the account */
  termsAccepted?: number[];
}

export interface SignUpDeps extends Pick<LicensingDeps, 'repo' | 'clock' | 'ids' | 'here'> {
  readonly directory: UserDirectory;
  readonly terms: TermsStore;
}

export async function createAccount(
  deps: SignUpDeps,
  person: SignedInPerson,
  body: CreateAccountBody,
): Promise<{ created: boolean; account: CreatedAccount }> {
  assertWithoutAccount(person);
  assertHomeRegion(body.region, deps.here);
  // The token may be older than a link made since (an invitation accepted): the directory decides.
  const now = await deps.directory.person(person.sub);
  if (!now) throw new ForbiddenError('Your sign-in has no user in this region; sign up here first.');
  assertWithoutAccount(now);
  if (body.acceptTerms !== undefined) await assertAcceptsTermsInForce(deps, body.acceptTerms);

  let accountId = await deps.repo.getAccountIdOfOwner(person.sub);
  let created = false;
  if (!accountId) {
    const at = deps.clock.now().toISOString();
    const record: SmartAccount = {
      accountId: deps.ids.id('acc_'),
      name: body.name,
      region: body.region,
      country: body.country,
      origin: 'sign-up',
      telemetryEnabled: true,
      termsRev: 1,
      installSeq: 0,
      createdAt: at,
    };
    try {
      await deps.repo.commitAccountCreation({
        record,
        ownerSub: person.sub,
        audit: {
          accountId: record.accountId,
          at,
          eventId: deps.ids.id('evt_'),
          actor: { kind: 'customer', id: person.sub },
          action: 'account.created',
          details: { name: record.name, region: record.region, country: body.country, origin: 'sign-up' },
        },
      });
      accountId = record.accountId;
      created = true;
    } catch (error) {
      if (!(error instanceof CommitRejected && error.reason === 'account-exists')) throw error;
      accountId = await deps.repo.getAccountIdOfOwner(person.sub);
    }
  }
  const state = accountId ? await deps.repo.getAccountState(accountId) : null;
  if (!state) throw new NotFoundError('Your Smart Account could not be read back; retry.');
  const administrator = await deps.directory.linkAdministrator(state.account.accountId, person.sub);
  const { account } = state;
  const termsAccepted =
    body.acceptTerms === undefined
      ? undefined
      : await acceptAtSignUp(
          deps,
          { sub: person.sub, email: administrator.email },
          account.accountId,
          body.acceptTerms,
        );
  return {
    created,
    account: {
      accountId: account.accountId,
      name: account.name,
      region: account.region,
      country: account.country ?? body.country,
      origin: 'sign-up',
      createdAt: account.createdAt,
      administrator,
      ...(termsAccepted && { termsAccepted }),
    },
  };
}
