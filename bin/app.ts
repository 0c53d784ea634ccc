/**
 * The CDK app: validates the `ucx` context of cdk.json and builds the stack set for every
 * region. The only place on the infrastructure side that reads process.env.
 */
import { App } from 'aws-cdk-lib';
import { buildApp, parseAppConfig } from '../lib/app';

const app = new App();
const config = parseAppConfig(app.node.tryGetContext('ucx'), process.env.CDK_DEFAULT_ACCOUNT);
buildApp(app, config);
app.synth();
