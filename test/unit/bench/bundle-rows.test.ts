import { BUNDLE_RATIO_GOAL, bundleRows, needsMoreRounds } from '#bench/bundle-rows';

describe('bundle rows: init rounds', () => {
  it('measures again a ratio near the goal, once', () => {
    expect(needsMoreRounds(BUNDLE_RATIO_GOAL - 0.05, 9, 9)).toBe(true);
    expect(needsMoreRounds(BUNDLE_RATIO_GOAL + 0.08, 9, 9)).toBe(true);
    // already measured again: judged on all the rounds
    expect(needsMoreRounds(BUNDLE_RATIO_GOAL, 21, 9)).toBe(false);
    // clear either way
    expect(needsMoreRounds(1.05, 9, 9)).toBe(false);
    expect(needsMoreRounds(1.6, 9, 9)).toBe(false);
  });

  it('says how many rounds the init ratio was judged on', () => {
    const measure = {
      entry: 'x',
      bytes: 400 * 1024,
      initMs: 50,
      baselineBytes: 340 * 1024,
      baselineInitMs: 40,
      initRatio: 1.25,
      houseSdkBytes: 200 * 1024,
      houseSdkInitMs: 30,
      clients: ['@aws-sdk/client-dynamodb'],
      memoryMb: 256,
      rounds: 21,
    };
    const [size, init] = bundleRows([measure]);
    expect(size!.goal.value).toBe(BUNDLE_RATIO_GOAL);
    expect(init!.value).toBe(1.25);
    expect(init!.detail).toContain('21 rounds');
  });
});
