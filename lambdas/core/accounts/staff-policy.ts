/**
 * Staff sign-in policy: the back-office and support groups reach a token only when the user has
 * TOTP enabled. One rule for both identity providers: the cloud's Pre Token Generation trigger and
 * the local cloud's identity provider call it.
 */

/** Groups that act on every account: a password alone must never carry them. */
export const staffGroups = ['backoffice', 'support'] as const;

/** The claim that tells the portal to lead the person to enrol an authenticator. */
export const mfaSetupRequiredClaim = 'ucx:mfa_setup_required';

export interface StaffPolicyInput {
  /** the user's groups as stored in the user pool */
  readonly groups: readonly string[];
  /** whether the user has a verified TOTP authenticator (SOFTWARE_TOKEN_MFA) */
  readonly mfaEnabled: boolean;
}

export interface TokenGrant {
  /** the groups the token may carry */
  readonly groups: string[];
  /** claims to add to the token; string values (Cognito's trigger takes strings) */
  readonly claims: Record<string, string>;
  /** the staff groups held back until the user enrols; empty when none */
  readonly withheldGroups: string[];
}

export function grantFor(input: StaffPolicyInput): TokenGrant {
  const isStaff = (group: string) => (staffGroups as readonly string[]).includes(group);
  const withheld = input.groups.filter(isStaff);
  if (input.mfaEnabled || withheld.length === 0) return { groups: [...input.groups], claims: {}, withheldGroups: [] };
  return {
    groups: input.groups.filter((group) => !isStaff(group)),
    claims: { [mfaSetupRequiredClaim]: 'true' },
    withheldGroups: withheld,
  };
}

/** Port: whether a user of the pool has TOTP enabled (the cloud: AdminGetUser's MFA settings). */
export interface MfaSettings {
  totpEnabled(username: string): Promise<boolean>;
}

/**
 * The grant for a user about to receive tokens (sign-in or refresh). The MFA settings are read only
 * for a staff user: customers' tokens cost no extra call.
 */
export async function tokenGrantFor(
  settings: MfaSettings,
  user: { readonly username: string; readonly groups: readonly string[] },
): Promise<TokenGrant> {
  const isStaff = user.groups.some((group) => (staffGroups as readonly string[]).includes(group));
  const mfaEnabled = isStaff ? await settings.totpEnabled(user.username) : false;
  return grantFor({ groups: user.groups, mfaEnabled });
}
