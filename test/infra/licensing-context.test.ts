/**
 * The `ucx.licensing` day counts: each parsed with its default, refused out of range naming the key,
 * and given to every function as its environment variable.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseAppConfig } from '#lib/app';
import { HouseFunction } from '#lib/constructs/house-function';
import { minimalUcxContext, testApp } from './test-app';

type DaysKey = 'shortfallGraceDays' | 'staleAfterDays';

const context = (licensing?: Record<string, unknown>) =>
  minimalUcxContext(licensing === undefined ? {} : { licensing });

const environmentOf = (key: DaysKey, days?: number) => {
  const stack = new Stack(testApp(), 'LicensingContextTest', {
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  new HouseFunction(stack, 'Fn', {
    entry: 'openapi',
    regionKey: 'eu',
    regionEndpoints: { eu: 'https://eu.example', us: 'https://us.example' },
    nextPollSeconds: 900,
    licenseTtlDays: 30,
    ...(days === undefined ? {} : { [key]: days }),
  });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  return (fn as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment
    .Variables;
};

describe.each([
  { key: 'shortfallGraceDays' as const, variable: 'SHORTFALL_GRACE_DAYS', other: 14, refused: [-1, 1.5] },
  { key: 'staleAfterDays' as const, variable: 'STALE_AFTER_DAYS', other: 45, refused: [0, 7.5] },
])('ucx.licensing.$key', ({ key, variable, other, refused }) => {
  it('defaults to 30 days and takes another', () => {
    expect(parseAppConfig(context()).licensing).toMatchObject({ [key]: 30 });
    expect(parseAppConfig(context({ [key]: other })).licensing).toMatchObject({ [key]: other });
  });

  it.each(refused)('refuses %p, naming the key', (days) => {
    expect(() => parseAppConfig(context({ [key]: days }))).toThrow(`ucx.licensing.${key}`);
  });

  it(`reaches each function as ${variable}`, () => {
    expect(environmentOf(key, other)).toMatchObject({ [variable]: String(other) });
    expect(environmentOf(key)).toMatchObject({ [variable]: '30' });
  });
});
