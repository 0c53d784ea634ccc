import { autoReleaseText, lastHeardDay, staleBannerText, staleNoticeText } from '#portal/src/stale';

const base = { status: 'active', activatedAt: '2026-01-05T10:00:00.000Z' };

describe('stale installation notice', () => {
  it('names the day of the last poll for a stale installation', () => {
    const text = staleNoticeText({ ...base, lastPollAt: '2026-02-01T13:00:00.000Z', stale: true });

    expect(text).toBe(
      'Not heard from since 2026-02-01: if this server was reinstalled or retired, release its licences.',
    );
  });

  it('names the activation day when it never polled', () => {
    expect(lastHeardDay({ ...base, lastPollAt: null })).toBe('2026-01-05');
    expect(staleNoticeText({ ...base, lastPollAt: null, stale: true })).toContain('since 2026-01-05:');
  });

  it('says nothing for an installation that is not stale, or deactivated', () => {
    expect(staleNoticeText({ ...base, lastPollAt: null, stale: false })).toBeNull();
    expect(staleNoticeText({ ...base, lastPollAt: null })).toBeNull();
    expect(staleNoticeText({ ...base, status: 'deactivated', lastPollAt: null, stale: true })).toBeNull();
  });
});

describe('stale installations banner', () => {
  it('counts the stale active installations, and says nothing when there are none', () => {
    const stale = { ...base, lastPollAt: null, stale: true };
    const fresh = { ...base, lastPollAt: null, stale: false };

    expect(staleBannerText([stale, fresh])).toMatch(/^1 installation has not been heard from/);
    expect(staleBannerText([stale, stale, { ...stale, status: 'deactivated' }])).toMatch(/^2 installations have/);
    expect(staleBannerText([fresh])).toBeNull();
  });
});

describe('automatic release in words', () => {
  it('says whether it is on, after how many days, and that a notice comes first', () => {
    expect(autoReleaseText({ enabled: true, afterDays: 45 })).toBe(
      'Automatic release is on: an installation not heard from for 45 days is released; the audit log carries a notice 7 days before.',
    );
    expect(autoReleaseText({ enabled: false, afterDays: 60 })).toMatch(/^Automatic release is off/);
  });
});
