/**
 * Fixes for AWS Control Tower's proactive controls that apply to every stack alike, run once over
 * each stack after it is built (`buildApp`). What is acknowledged instead is listed, with its
 * reason, in lib/guard-acknowledgements.ts; test/infra/control-tower.test.ts runs the controls.
 */
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal, AnyPrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';

/**
 * CT.KMS.PR.3: nobody may create a grant on the key except for an AWS service acting on a resource
 * (Lambda, SNS, CloudWatch use grants that way); nothing of ours creates grants itself.
 */
export function denyGrantsBeyondAwsServices(key: Key): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}

/**
 * CT.CLOUDWATCH.PR.3: the stack's log groups encrypted with one key of the stack's own, which the
 * region's CloudWatch Logs may use for this account's log groups only.
 */
function encryptLogGroups(stack: Stack): void {
  const logGroups = stack.node.findAll().filter((c): c is CfnLogGroup => c instanceof CfnLogGroup);
  if (logGroups.length === 0) return;
  const key = new Key(stack, 'LogsKey', {
    description: `UCX ${stack.stackName}: encrypts the stack's CloudWatch log groups`,
    enableKeyRotation: true,
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  for (const logGroup of logGroups) {
    if (logGroup.kmsKeyId === undefined) {
      logGroup.kmsKeyId = key.keyArn;
      // The key policy must allow CloudWatch Logs before the group can name the key.
      logGroup.node.addDependency(key);
    }
  }
}

/** Applies the shared fixes to `stack`: call once, after everything in it is built. */
export function applyLandingZoneControls(stack: Stack): void {
  encryptLogGroups(stack);
  for (const key of stack.node.findAll().filter((c): c is Key => c instanceof Key)) denyGrantsBeyondAwsServices(key);
}
