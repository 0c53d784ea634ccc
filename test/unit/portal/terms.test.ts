import { nearestEnd, termState } from '#portal/src/terms';

const now = new Date('2026-01-01T00:00:00Z');

describe('licence terms', () => {
  it('flags a term ending within 90 days as expiring and a past one as expired', () => {
    expect(termState('2026-03-01T00:00:00Z', now)).toBe('expiring');
    expect(termState('2026-06-01T00:00:00Z', now)).toBe('ok');
    expect(termState('2025-12-31T00:00:00Z', now)).toBe('expired');
    expect(termState(undefined, now)).toBe('none');
  });

  it('takes the earlier of the subscription end and the Care end', () => {
    expect(
      nearestEnd({ expiresAt: '2027-01-01T00:00:00Z', care: { level: 'gold', expiresAt: '2026-02-01T00:00:00Z' } }),
    ).toBe('2026-02-01T00:00:00Z');
    expect(nearestEnd({ care: { level: 'basic', expiresAt: '2026-05-01T00:00:00Z' } })).toBe('2026-05-01T00:00:00Z');
    expect(nearestEnd({})).toBeUndefined();
  });
});
