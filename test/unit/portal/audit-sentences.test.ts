import { actionText, allocationWords, detailsText } from '#portal/src/audit-sentences';

describe('audit events in words', () => {
  it('names each action and says its details as a sentence, never as JSON', () => {
    const created = detailsText('activation-key.created', {
      keyId: 'akey_1',
      hint: 'X7QZ',
      allocation: { ivr: 2, 'attendant-console': 1 },
      expiresAt: '2026-04-01T09:00:00.000Z',
      followsPool: false,
    });
    const invited = detailsText('user.invited', { userId: 'u-1', email: 'ann@example.com' });

    expect(actionText('activation-key.revoked')).toBe('Activation key revoked');
    expect(created).toBe('A key ending X7QZ for IVR ×2, Attendant Console ×1, valid until 2026-04-01.');
    expect(invited).toBe('ann@example.com was invited to sign in for this account.');
    expect(detailsText('installation.allocation-changed', { installationId: 'inst_1', from: { ivr: 1 }, to: {} })).toBe(
      'Installation inst_1 went from IVR ×1 to no licences.',
    );
  });

  it('keeps the facts of an action it does not know, in words', () => {
    const text = detailsText('something.new', { count: 3, scope: { a: 1 }, ids: ['x', 'y'] });

    expect(text).toBe('count: 3; scope: a 1; ids: x, y');
    expect(text).not.toMatch(/[{}"]/);
    expect(actionText('something.new')).toBe('something.new');
    expect(allocationWords(undefined)).toBe('no licences');
  });
});
