import {
  accountRoute,
  keyAllocation,
  orderFindings,
  sectionHref,
  sectionSlug,
  telemetryOffConsequences,
} from '#portal/src/account-sections';

describe('the account page’s sections in the address', () => {
  it('reads the account and the section from the route, and builds the section’s link', () => {
    expect(accountRoute('/accounts/acc_12345678')).toEqual({ accountId: 'acc_12345678' });
    expect(accountRoute('/accounts/acc_12345678/findings')).toEqual({
      accountId: 'acc_12345678',
      section: 'findings',
    });
    expect(accountRoute('/accounts/acc_12345678/findings/x')).toBeUndefined();
    expect(accountRoute('/customers')).toBeUndefined();
    expect(sectionHref('acc_12345678', sectionSlug('s-activation-keys'))).toBe(
      '#/accounts/acc_12345678/activation-keys',
    );
  });
});

describe('findings in order', () => {
  it('puts open before resolved, then the most severe, then the newest', () => {
    // Arrange
    const f = (id: string, severity: string, status: string, openedAt: string) => ({ id, severity, status, openedAt });
    const findings = [
      f('old-info', 'info', 'open', '2026-01-01T00:00:00Z'),
      f('resolved-critical', 'critical', 'resolved', '2026-03-01T00:00:00Z'),
      f('new-warning', 'warning', 'open', '2026-02-01T00:00:00Z'),
      f('old-warning', 'warning', 'acknowledged', '2026-01-15T00:00:00Z'),
      f('critical', 'critical', 'open', '2026-01-02T00:00:00Z'),
    ];

    // Act
    const ordered = orderFindings(findings).map((x) => x.id);

    // Assert
    expect(ordered).toEqual(['critical', 'new-warning', 'old-warning', 'old-info', 'resolved-critical']);
  });
});

describe('a new activation key’s allocation, as the hint promises', () => {
  const fields = (ivr: string, acd: string) => [
    { product: 'ivr', value: ivr, free: 4 },
    { product: 'acd', value: acd, free: 2 },
  ];

  it('every field empty: the key takes the pool', () => {
    expect(keyAllocation(fields('', ''))).toEqual({});
  });

  it('0 leaves a product out, and an empty one then gets all of its free licences', () => {
    expect(keyAllocation(fields('0', ''))).toEqual({ allocation: { acd: 2 } });
    expect(keyAllocation(fields('3', '0'))).toEqual({ allocation: { ivr: 3 } });
    expect(keyAllocation(fields('1', ''))).toEqual({ allocation: { ivr: 1, acd: 2 } });
  });

  it('only zeros is a key with nothing: refused at the first product, in words', () => {
    const result = keyAllocation(fields('0', '0'));

    expect(result).toEqual({ error: { path: 'allocation.ivr', message: expect.stringMatching(/^Enter more than 0/) } });
  });
});

describe('switching telemetry off', () => {
  it('names what stops: proactive findings and support’s snapshot', () => {
    const text = telemetryOffConsequences.join(' ');

    expect(text).toMatch(/Proactive findings stop/);
    expect(text).toMatch(/Support’s snapshot/);
  });
});
