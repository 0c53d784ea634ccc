/** `ucx.licensing.staleAfterDays`: parsed with its default, and given to every function as STALE_AFTER_DAYS. */
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

const environmentOf = (staleAfterDays?: number) => {
  const stack = new Stack(new App({ context: testAppContext() }), 'StaleTest', {
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  new HouseFunction(stack, 'Fn', {
    entry: 'openapi',
    regionKey: 'eu',
    regionEndpoints: { eu: 'https://eu.example', us: 'https://us.example' },
    nextPollSeconds: 900,
    licenseTtlDays: 30,
    ...(staleAfterDays === undefined ? {} : { staleAfterDays }),
  });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  return (fn as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment
    .Variables;
};

describe('ucx.licensing.staleAfterDays', () => {
  it('defaults to 30 days and takes another', () => {
    expect(parseAppConfig(context()).licensing).toMatchObject({ staleAfterDays: 30 });
    expect(parseAppConfig(context({ staleAfterDays: 45 })).licensing).toMatchObject({ staleAfterDays: 45 });
  });

  it('refuses 0 or a fractional number of days, naming the key', () => {
    expect(() => parseAppConfig(context({ staleAfterDays: 0 }))).toThrow('ucx.licensing.staleAfterDays');
    expect(() => parseAppConfig(context({ staleAfterDays: 7.5 }))).toThrow('ucx.licensing.staleAfterDays');
  });

  it('reaches each function as STALE_AFTER_DAYS', () => {
    expect(environmentOf(45)).toMatchObject({ STALE_AFTER_DAYS: '45' });
    expect(environmentOf()).toMatchObject({ STALE_AFTER_DAYS: '30' });
  });
});
