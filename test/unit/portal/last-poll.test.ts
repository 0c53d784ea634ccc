import { lastPollText } from '#portal/src/last-poll';

const now = new Date('2026-01-02T12:00:00Z');

describe('lastPollText', () => {
  it('says never without a recorded poll', () => {
    expect(lastPollText(null, now)).toBe('never');
    expect(lastPollText(undefined, now)).toBe('never');
    expect(lastPollText('not a date', now)).toBe('never');
  });

  it('says within the hour up to an hour, a clock a little ahead included', () => {
    expect(lastPollText('2026-01-02T11:59:00Z', now)).toBe('within the hour');
    expect(lastPollText('2026-01-02T11:00:01Z', now)).toBe('within the hour');
    expect(lastPollText('2026-01-02T12:00:30Z', now)).toBe('within the hour');
  });

  it('counts whole hours up to two days, then days', () => {
    expect(lastPollText('2026-01-02T11:00:00Z', now)).toBe('1 h ago');
    expect(lastPollText('2026-01-02T08:30:00Z', now)).toBe('3 h ago');
    expect(lastPollText('2025-12-31T12:00:01Z', now)).toBe('47 h ago');
    expect(lastPollText('2025-12-28T12:00:00Z', now)).toBe('5 days ago');
  });
});
