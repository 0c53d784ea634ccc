/**
 * A signed-in person who may not have an account yet: the principal of the sign-up routes alone
 * (create a Smart Account, apply as a reseller). Every other route takes a Principal, which needs
 * a role and, for a customer, an account.
 */
import * as z from 'zod/mini';
import { ConflictError, ForbiddenError } from '../errors';
import { onFirstUse } from '../on-first-use';

export interface SignedInPerson {
  /** the directory's subject id */
  readonly sub: string;
  readonly groups: readonly string[];
  readonly accountId?: string;
  readonly resellerId?: string;
}

/** Staff and resellers sign in for their work; none of them creates an account or applies. */
const workingRoles = ['backoffice', 'support', 'reseller'];

/** Only a person without an account and without a working role: a customer with an account gets 409. */
export function assertWithoutAccount(person: Pick<SignedInPerson, 'groups' | 'accountId' | 'resellerId'>): void {
  if (person.resellerId || person.groups.some((g) => workingRoles.includes(g)))
    throw new ForbiddenError('Staff and reseller users cannot do this; sign up with another e-mail address.');
  if (person.accountId) throw new ConflictError(`You are already a user of Smart Account ${person.accountId}.`);
}

// ICU's region names cost ~9 ms of a cold start that may never check a country
const regionNames = onFirstUse(() => new Intl.DisplayNames(['en'], { type: 'region' }));

/** ISO 3166-1 alpha-2, upper case: a code the runtime's CLDR names as a country or territory. */
export const countrySchema = z.string().check(
  z.trim(),
  z.toUpperCase(),
  // abort: Intl.DisplayNames throws on anything but two letters ('DEU' was a 500)
  z.regex(/^[A-Z]{2}$/, { message: 'a two-letter country code (ISO 3166-1 alpha-2), e.g. DE or US', abort: true }),
  z.refine((code) => {
    const name = regionNames().of(code);
    return name !== undefined && name !== code && name !== 'Unknown Region';
  }, 'not a country code of ISO 3166-1'),
);
