/**
 * The CDK app: validates the `ucx` context of cdk.json and builds the stack set for every
 * region. The only place on the infrastructure side that reads process.env. With
 * `--context nag=true` the synth also runs cdk-nag's AwsSolutions checks (lib/nag.ts) and fails
 * on any unacknowledged finding; the test suite runs them on every `npm test`.
 */
import { App } from 'aws-cdk-lib';
import { buildApp, parseAppConfig } from '../lib/app';
import { addNagChecks } from '../lib/nag';

const app = new App();
const config = parseAppConfig(app.node.tryGetContext('ucx'), process.env.CDK_DEFAULT_ACCOUNT);
buildApp(app, config);
if (String(app.node.tryGetContext('nag')) === 'true') addNagChecks(app);
app.synth();
