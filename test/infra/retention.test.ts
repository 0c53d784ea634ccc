/**
 * Retention in the infrastructure (docs/retention.md): the eraser of closed accounts runs on a
 * schedule with what it needs and nothing more; the tables it relies on expire by the `ttl` the
 * code writes; the telemetry archive expires by its lifecycle.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { regionKeys } from '#lib/config';
import { userDirectoryActions } from '#lib/constructs/house-function';
import type { FunctionName } from '#lib/routes';
import { accountEraserRate } from '#lib/stacks/stateless-stack';
import { buildTestApp, testConfig } from './test-app';

type CfnJson = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: CfnJson };
type Statement = { Action: string | string[]; Resource: unknown };

const { stacks } = buildTestApp();

describe.each(regionKeys)('retention in the %s region', (key) => {
  const stateless = stacks[key].stateless;
  const resources = Template.fromStack(stateless).toJSON().Resources as Record<string, Resource>;
  const statefulResources = Template.fromStack(stacks[key].stateful).toJSON().Resources as Record<string, Resource>;
  const logicalIdOf = (name: FunctionName) =>
    stateless.getLogicalId(stateless.functions[name].function.node.defaultChild as CfnFunction);
  const actionsOf = (name: FunctionName) => {
    const roleId = (resources[logicalIdOf(name)]!.Properties.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    return Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[])
      .flatMap((s) => [s.Action].flat());
  };

  it('runs the eraser every 6 hours through EventBridge Scheduler, on time, dead-lettering beside the sweep', () => {
    // Arrange
    const id = stateless.getLogicalId(stateless.accountEraserSchedule.node.defaultChild as never);
    const dlqId = stateless.getLogicalId(stateless.silentSweepDeadLetterQueue.node.defaultChild as never);

    // Assert
    expect(accountEraserRate.toHours()).toBe(6);
    expect(resources[id]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(6 hours)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [logicalIdOf('eraseClosedAccounts'), 'Arn'] },
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      },
    });
  });

  it('lets the eraser delete from the support and presence tables and the user pool, and no more of the pool', () => {
    // Act
    const actions = actionsOf('eraseClosedAccounts');

    // Assert
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem']));
    expect(actions).toEqual(expect.arrayContaining([...userDirectoryActions.remove]));
    expect(actions.filter((a) => a.startsWith('cognito-idp:')).sort()).toEqual(
      [...new Set(userDirectoryActions.remove)].sort(),
    );
    expect(resources[logicalIdOf('eraseClosedAccounts')]?.Properties).toMatchObject({
      Timeout: 300,
      Environment: {
        Variables: expect.objectContaining({
          TABLE_NAME: expect.anything(),
          SUPPORT_TABLE_NAME: expect.anything(),
          PRESENCE_TABLE_NAME: expect.anything(),
          USER_DIRECTORY: expect.anything(),
        }),
      },
    });
  });

  it('declares the `ttl` attribute the code writes on the support table, and expires the archive', () => {
    // Arrange
    const supportTable = Object.values(statefulResources).find(
      (r) =>
        r.Type === 'AWS::DynamoDB::Table' &&
        JSON.stringify(r.Properties.KeySchema).includes('pk') &&
        JSON.stringify(r.Properties.GlobalSecondaryIndexes ?? []).includes('gsi2'),
    );
    const archive = Object.entries(statefulResources).find(([id]) => id.startsWith('TelemetryArchiveBucket'))?.[1];

    // Assert
    expect(supportTable?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    // raw landing objects after rawDays (their hours are in Parquet by then), Parquet runs and manifests after expireDays
    expect(archive?.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', Prefix: 'beats/', ExpirationInDays: testConfig.archive.rawDays }),
      expect.objectContaining({
        Status: 'Enabled',
        Prefix: 'parquet-runs/',
        ExpirationInDays: testConfig.archive.expireDays,
      }),
      expect.objectContaining({
        Status: 'Enabled',
        Prefix: 'parquet/',
        ExpirationInDays: testConfig.archive.expireDays,
      }),
      // versioned (CT.S3.PR.11): an overwritten, expired or deleted object's old version a day later
      expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
      expect.objectContaining({ Status: 'Enabled', ExpiredObjectDeleteMarker: true }),
    ]);
  });
});
