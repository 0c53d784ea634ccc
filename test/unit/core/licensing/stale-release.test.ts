import { autoReleaseSettingSchema, autoReleaseStep } from '#lambdas/core/licensing/stale-release';

const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const at = (days: number, ms = 0) => T0 + days * DAY_MS + ms;
const on = { enabled: true, afterDays: 60 };
const silent = { status: 'active' as const, activatedAt: iso(T0), lastPollAt: null };

describe('autoReleaseStep', () => {
  it('does nothing when the account has not opted in', () => {
    expect(autoReleaseStep(silent, undefined, at(400))).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, { enabled: false, afterDays: 60 }, at(400))).toEqual({ kind: 'none' });
  });

  it('gives notice 7 days before afterDays of silence, not a moment sooner', () => {
    expect(autoReleaseStep(silent, on, at(53, -1))).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, on, at(53))).toEqual({ kind: 'notice', releaseAt: iso(at(60)) });
  });

  it('releases at afterDays of silence once noticed, not before', () => {
    const noticedAt = iso(at(53));

    expect(autoReleaseStep(silent, on, at(60, -1), noticedAt)).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, on, at(60), noticedAt)).toEqual({ kind: 'release' });
  });

  it('never releases without a notice first, and then only 7 days after it', () => {
    const noticeFirst = autoReleaseStep(silent, on, at(200));
    const noticedAt = iso(at(200));

    expect(noticeFirst).toEqual({ kind: 'notice', releaseAt: iso(at(207)) });
    expect(autoReleaseStep(silent, on, at(206), noticedAt)).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, on, at(207), noticedAt)).toEqual({ kind: 'release' });
  });

  it('counts from the last poll, and a notice of an earlier silence does not count', () => {
    const polledAgain = { ...silent, lastPollAt: iso(at(58)) };
    const earlierNotice = iso(at(53));

    expect(autoReleaseStep(polledAgain, on, at(70), earlierNotice)).toEqual({ kind: 'none' });
    expect(autoReleaseStep(polledAgain, on, at(111), earlierNotice)).toEqual({
      kind: 'notice',
      releaseAt: iso(at(118)),
    });
  });

  it('leaves a deactivated installation alone', () => {
    expect(autoReleaseStep({ ...silent, status: 'deactivated' }, on, at(400))).toEqual({ kind: 'none' });
  });
});

describe('autoReleaseSettingSchema', () => {
  it('takes 14 to 365 days and refuses less than two notice periods', () => {
    expect(autoReleaseSettingSchema.safeParse({ enabled: true, afterDays: 14 }).success).toBe(true);
    expect(autoReleaseSettingSchema.safeParse({ enabled: true, afterDays: 13 }).success).toBe(false);
    expect(autoReleaseSettingSchema.safeParse({ enabled: true, afterDays: 366 }).success).toBe(false);
    expect(autoReleaseSettingSchema.safeParse({ enabled: true }).success).toBe(false);
  });
});
