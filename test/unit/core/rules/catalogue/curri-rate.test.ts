import { rule } from '#lambdas/core/rules/catalogue/curri-rate';
import { beatAt, DAY, runRule, T0 } from '#test/support/rules-harness';

const MINUTE = 60_000;
const phoneLock = (at: number, curriRequestsPerMinute: number) =>
  beatAt('ucx.phone_lock', at, { curriRequestsPerMinute });
const contactManager = (at: number, curriRequestsPerMinute: number) =>
  beatAt('ucx.contact_manager', at, { curriRequestsPerMinute });
const history = (rates: readonly number[]) =>
  rates.flatMap((r, day) => [phoneLock(T0 + day * DAY, r), contactManager(T0 + day * DAY + MINUTE, r)]);
const DAY7 = T0 + 7 * DAY;
const USUAL = [20, 22, 18, 20, 25, 19, 21]; // median 20

describe('curri-rate', () => {
  it('opens a warning on the 3rd beat above 3× the 7-day median at that hour, not the 2nd', () => {
    const run = runRule(rule, [...history(USUAL), ...[0, 5, 10].map((m) => phoneLock(DAY7 + m * MINUTE, 60.5))]);

    expect(run.steps[15]!.changes).toEqual([]);
    expect(run.steps[16]!.changes).toEqual([
      { kind: 'opened', subject: 'phone-lock', severity: 'warning', ruleId: 'curri-rate' },
    ]);
    expect(run.open()[0]!.evidence).toEqual({ requestsPerMinute: 60.5, median: 20 });
  });

  it('stays quiet at 3× the median, and keeps the two products apart', () => {
    const atFactor = runRule(rule, [...history(USUAL), ...[0, 5, 10].map((m) => phoneLock(DAY7 + m * MINUTE, 60))]);
    const other = runRule(rule, [...history(USUAL), ...[0, 5, 10].map((m) => contactManager(DAY7 + m * MINUTE, 100))]);

    expect(atFactor.open()).toHaveLength(0);
    expect(other.open()).toEqual([expect.objectContaining({ subject: 'contact-manager' })]);
  });

  it('needs enough history and a floor rate', () => {
    const fewDays = runRule(rule, [
      ...history([20, 20, 20]),
      ...[0, 5, 10].map((m) => phoneLock(T0 + 3 * DAY + m * MINUTE, 500)),
    ]);
    const quiet = runRule(rule, [
      ...history([1, 1, 1, 1, 1, 1, 1]),
      ...[0, 5, 10].map((m) => phoneLock(DAY7 + m * MINUTE, 9)),
    ]);

    expect(fewDays.open()).toHaveLength(0);
    expect(quiet.open()).toHaveLength(0);
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, [
      ...history(USUAL),
      ...[100, 100, 100, 20, 20].map((r, i) => phoneLock(DAY7 + i * MINUTE, r)),
    ]);

    expect(run.steps[17]!.changes).toEqual([]);
    expect(run.steps[18]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'phone-lock' })]);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [...history(USUAL), ...[0, 5, 10].map((m) => phoneLock(DAY7 + m * MINUTE, 45))], {
      overrides: { 'curri-rate': { factor: 2 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'phone-lock' })]);
  });
});
