/** The staff sign-in policy: back office and support only with TOTP; everyone else as stored. */
import { grantFor, mfaSetupRequiredClaim } from '#lambdas/core/accounts/staff-policy';

describe('the staff policy', () => {
  it('withholds the back-office and support groups from a user without TOTP and asks for enrolment', () => {
    // Act
    const grant = grantFor({ groups: ['backoffice', 'support', 'customer'], mfaEnabled: false });

    // Assert
    expect(grant.groups).toEqual(['customer']);
    expect(grant.withheldGroups).toEqual(['backoffice', 'support']);
    expect(grant.claims).toEqual({ [mfaSetupRequiredClaim]: 'true' });
  });

  it('issues the staff groups once TOTP is enabled, with no enrolment claim', () => {
    // Act
    const grant = grantFor({ groups: ['backoffice'], mfaEnabled: true });

    // Assert
    expect(grant).toEqual({ groups: ['backoffice'], claims: {}, withheldGroups: [] });
  });

  it.each([[['customer']], [['reseller']], [[]]])('leaves %j as they are, TOTP or not', (groups) => {
    // Act
    const grant = grantFor({ groups, mfaEnabled: false });

    // Assert
    expect(grant).toEqual({ groups, claims: {}, withheldGroups: [] });
  });
});
