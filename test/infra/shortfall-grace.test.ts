/** `ucx.licensing.shortfallGraceDays`: parsed with its default, and given to every function as SHORTFALL_GRACE_DAYS. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseAppConfig } from '#lib/app';
import { HouseFunction } from '#lib/constructs/house-function';
import { testAppContext } from './test-app';

const context = (licensing?: unknown) => ({
  stage: 'prod',
  primary: 'eu',
  regions: {
    eu: { region: 'eu-central-1', endpoint: 'https://eu.api.example' },
    us: { region: 'us-east-1', endpoint: 'https://us.api.example' },
  },
  nextPollSeconds: 900,
  licenseTtlDays: 30,
  logRetentionDays: 30,
  ...(licensing === undefined ? {} : { licensing }),
});

const environmentOf = (shortfallGraceDays?: number) => {
  const stack = new Stack(new App({ context: testAppContext() }), 'GraceTest', {
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  new HouseFunction(stack, 'Fn', {
    entry: 'openapi',
    regionKey: 'eu',
    regionEndpoints: { eu: 'https://eu.example', us: 'https://us.example' },
    nextPollSeconds: 900,
    licenseTtlDays: 30,
    ...(shortfallGraceDays === undefined ? {} : { shortfallGraceDays }),
  });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  return (fn as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment
    .Variables;
};

describe('ucx.licensing.shortfallGraceDays', () => {
  it('defaults to 30 days and takes another', () => {
    expect(parseAppConfig(context()).licensing).toMatchObject({ shortfallGraceDays: 30 });
    expect(parseAppConfig(context({ shortfallGraceDays: 14 })).licensing).toMatchObject({ shortfallGraceDays: 14 });
  });

  it('refuses a negative or fractional grace, naming the key', () => {
    expect(() => parseAppConfig(context({ shortfallGraceDays: -1 }))).toThrow('ucx.licensing.shortfallGraceDays');
    expect(() => parseAppConfig(context({ shortfallGraceDays: 1.5 }))).toThrow('ucx.licensing.shortfallGraceDays');
  });

  it('reaches each function as SHORTFALL_GRACE_DAYS', () => {
    expect(environmentOf(14)).toMatchObject({ SHORTFALL_GRACE_DAYS: '14' });
    expect(environmentOf()).toMatchObject({ SHORTFALL_GRACE_DAYS: '30' });
  });
});
