/**
 * CloudFormation refuses a template of more than 500 resources, and a stack near the limit
 * blocks the next feature. Every stack keeps a margin of 50 below it.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from './test-app';

/** CloudFormation's limit is 500; the margin leaves room for a few features between splits. */
const maxResources = 450;

describe('the size of each stack', () => {
  const { app } = buildTestApp();
  const stacks = app.node.children.filter((c): c is Stack => c instanceof Stack);

  it.each(stacks.map((s) => [s.stackName, s] as const))('%s stays under 450 resources', (name, stack) => {
    // Arrange
    const count = Object.keys(Template.fromStack(stack).toJSON().Resources ?? {}).length;

    // Assert
    if (count >= maxResources) {
      throw new Error(
        `${name} has ${count} resources, CloudFormation allows 500 and this test ${maxResources}: move a ` +
          'self-contained group of resources into a stack of its own (as lib/stacks/operations-stack.ts did ' +
          'for dashboards and alarms), or share a Lambda permission, role or log group instead of one per ' +
          'route or function; do not raise this limit (docs/deploying.md#stacks)',
      );
    }
    expect(count).toBeLessThan(maxResources);
  });
});
