import {
  careText,
  entitlementRows,
  installationShortfallText,
  shortfallByInstallation,
  shortfallText,
  type ProductTerms,
} from '#portal/src/entitlements';

const now = new Date('2026-12-10T12:00:00Z');

// An account answer's IVR product after a 3-licence subscription ended on 5 December.
const ivr: ProductTerms = {
  product: 'ivr',
  capacity: 5,
  allocated: 8,
  shortfall: { quantity: 3, enforcedAt: '2027-01-04T00:00:00.000Z' },
  entitlements: [
    {
      entitlementId: 'ord-1#1',
      product: 'ivr',
      kind: 'perpetual',
      quantity: 5,
      startsAt: '2025-06-01T00:00:00.000Z',
      care: { level: 'gold', endsAt: '2026-06-01T00:00:00.000Z' },
      status: 'active',
    },
    {
      entitlementId: 'ord-2#1',
      product: 'ivr',
      kind: 'subscription',
      quantity: 3,
      startsAt: '2025-12-05T00:00:00.000Z',
      endsAt: '2026-12-05T00:00:00.000Z',
      status: 'ended',
    },
    {
      entitlementId: 'ord-3#1',
      product: 'ivr',
      kind: 'subscription',
      quantity: 2,
      startsAt: '2027-02-01T00:00:00.000Z',
      endsAt: '2028-02-01T00:00:00.000Z',
      status: 'scheduled',
    },
  ],
};

const installations = [
  { installationId: 'inst_old', status: 'active', allocation: { ivr: 5 }, activatedAt: '2025-06-02T00:00:00Z' },
  { installationId: 'inst_mid', status: 'active', allocation: { ivr: 2 }, activatedAt: '2025-12-06T00:00:00Z' },
  { installationId: 'inst_new', status: 'active', allocation: { ivr: 1 }, activatedAt: '2026-01-10T00:00:00Z' },
  { installationId: 'inst_gone', status: 'deactivated', allocation: { ivr: 4 }, activatedAt: '2026-03-01T00:00:00Z' },
];

describe('the account page’s terms', () => {
  it('lists each entitlement with quantity, kind, starts, ends, Care and status (a scheduled one as future)', () => {
    // Act
    const rows = entitlementRows(ivr);

    // Assert
    expect(rows).toEqual([
      ['5', 'perpetual', '2025-06-01', 'never (perpetual)', 'Gold until 2026-06-01', 'active'],
      ['3', 'subscription', '2025-12-05', '2026-12-05', '—', 'ended'],
      ['2', 'subscription', '2027-02-01', '2028-02-01', '—', 'future'],
    ]);
  });

  it('says Care has lapsed when every Care period is over, and its level and end while it covers', () => {
    expect(careText(ivr)).toBe('Care lapsed');
    expect(careText({ ...ivr, care: { level: 'platinum', expiresAt: '2027-06-01T00:00:00Z' } })).toBe(
      'Platinum until 2027-06-01',
    );
    expect(careText({ ...ivr, entitlements: [] })).toBe('No Care');
  });

  it('says a shortfall in words: how many beyond what is held, and from when the newest installations lose them', () => {
    expect(shortfallText(ivr, now)).toBe(
      '3 IVR licences are allocated beyond what you hold; from 4 January 2027 the newest installations lose them. Renew or order more to keep them.',
    );
    expect(shortfallText(ivr, new Date('2027-01-05T00:00:00Z'))).toBe(
      '3 IVR licences are allocated beyond what you hold; since 4 January the newest installations no longer get them.',
    );
    expect(shortfallText({ ...ivr, shortfall: undefined }, now)).toBeUndefined();
  });

  it('names the newest active installations as the ones that lose licences, up to what each holds', () => {
    // Act
    const losses = shortfallByInstallation([ivr], installations);

    // Assert
    expect([...losses.keys()]).toEqual(['inst_new', 'inst_mid']);
    expect(losses.get('inst_new')).toEqual([{ product: 'ivr', quantity: 1, enforcedAt: ivr.shortfall!.enforcedAt }]);
    expect(losses.get('inst_mid')).toEqual([{ product: 'ivr', quantity: 2, enforcedAt: ivr.shortfall!.enforcedAt }]);
    expect(installationShortfallText(losses.get('inst_mid'), now)).toBe(
      '2 IVR licences beyond what the account holds: lost from 4 January 2027.',
    );
    expect(installationShortfallText(losses.get('inst_old'), now)).toBeUndefined();
  });
});
