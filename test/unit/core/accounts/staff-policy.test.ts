/** The staff sign-in policy: back office and support only with TOTP; everyone else as stored. */
import { grantFor, mfaSetupRequiredClaim, tokenGrantFor } from '#lambdas/core/accounts/staff-policy';

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

describe('tokenGrantFor', () => {
  it('asks the MFA settings of staff only', async () => {
    // Arrange
    const asked: string[] = [];
    const settings = {
      totpEnabled: async (username: string) => {
        asked.push(username);
        return true;
      },
    };

    // Act
    const customer = await tokenGrantFor(settings, { username: 'c', groups: ['customer'] });
    const staff = await tokenGrantFor(settings, { username: 's', groups: ['support'] });

    // Assert
    expect(asked).toEqual(['s']);
    expect(customer.groups).toEqual(['customer']);
    expect(staff.groups).toEqual(['support']);
  });
});
