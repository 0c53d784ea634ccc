/**
 * Builds the stack set the way `cdk synth` does (cdk.json's feature flags and `ucx` context),
 * with a test stage and account so names visibly derive from config, and with esbuild bundling
 * skipped: it is the slow part, and one test in house-function.test.ts bundles for real.
 */
import { readFileSync } from 'node:fs';
import { App, type AppProps } from 'aws-cdk-lib';
import { buildApp, parseAppConfig } from '#lib/app';
import type { AppConfig } from '#lib/config';

interface CdkJson {
  readonly context: Record<string, unknown> & { readonly ucx: Record<string, unknown> };
}
const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as CdkJson;

export const testAccount = '123456789012';

/** cdk.json's config with stage `test` and a fixed account. */
export const testConfig: AppConfig = parseAppConfig({ ...cdkJson.context.ucx, stage: 'test', account: testAccount });

/** cdk.json's context (feature flags included), bundling off unless asked. */
export function testAppContext(options: { bundle?: boolean } = {}): Record<string, unknown> {
  const { ucx: _ucx, ...context } = cdkJson.context;
  return options.bundle ? context : { ...context, 'aws:cdk:bundling-stacks': [] };
}

/**
 * An app with cdk.json's context, bundling off, and without CDK's built-in CloudFormation
 * validation (about 4 s of every synth of the stack set) unless `props` turn it on: app.test.ts
 * runs it once over the whole set, and `cdk synth` on every deploy.
 */
export function testApp(props: AppProps = {}): App {
  return new App({ builtinCloudFormationValidation: false, context: testAppContext(), ...props });
}

export function buildTestApp(config: AppConfig = testConfig) {
  const app = testApp();
  return { app, stacks: buildApp(app, config) };
}

/** The smallest valid `ucx` context, with `extra` keys on top: for tests of one config key. */
export const minimalUcxContext = (extra: Record<string, unknown> = {}) => ({
  stage: 'prod',
  primary: 'eu',
  regions: {
    eu: { region: 'eu-central-1', endpoint: 'https://eu.api.example' },
    us: { region: 'us-east-1', endpoint: 'https://us.api.example' },
  },
  nextPollSeconds: 900,
  licenseTtlDays: 30,
  logRetentionDays: 30,
  ...extra,
});
