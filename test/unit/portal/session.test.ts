import { homeOf, mfaSetupRequired, sessionFromToken } from '#portal/src/session';

const tokenWith = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('the portal session', () => {
  it('takes the strongest Cognito group as the role, with the account and reseller claims', () => {
    const session = sessionFromToken(
      tokenWith({
        sub: 'u1',
        exp: 2_000_000_000,
        'cognito:groups': ['customer', 'reseller'],
        'custom:resellerId': 'res-a',
      }),
    );

    expect(session).toMatchObject({ role: 'reseller', resellerId: 'res-a', sub: 'u1', expiresAt: 2_000_000_000_000 });
    expect(homeOf(session!)).toBe('#/customers');
  });

  it('sends a customer to its own account, or to the no-account page', () => {
    const linked = sessionFromToken(
      tokenWith({ sub: 'c', 'cognito:groups': ['customer'], 'custom:accountId': 'acc_12345678' }),
    )!;
    const unlinked = sessionFromToken(tokenWith({ sub: 'n', 'cognito:groups': ['customer'] }))!;

    expect(homeOf(linked)).toBe('#/accounts/acc_12345678');
    expect(homeOf(unlinked)).toBe('#/no-account');
  });

  it('refuses a token without a portal role, and garbage', () => {
    expect(sessionFromToken(tokenWith({ sub: 'x', 'cognito:groups': ['admins'] }))).toBeUndefined();
    expect(sessionFromToken('not-a-jwt')).toBeUndefined();
  });

  it("reads the staff policy's enrolment claim", () => {
    // Arrange
    const withheld = tokenWith({ sub: 's', 'cognito:groups': [], 'ucx:mfa_setup_required': 'true' });
    const enrolled = tokenWith({ sub: 's', 'cognito:groups': ['backoffice'] });

    // Assert
    expect(mfaSetupRequired(withheld)).toBe(true);
    expect(mfaSetupRequired(enrolled)).toBe(false);
    expect(mfaSetupRequired('not a token')).toBe(false);
  });
});
