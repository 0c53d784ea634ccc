/**
 * Outgoing mail: the Mail construct (SES identity, configuration set suppressing bounces and
 * complaints, their events to EventBridge) and, in both stateless stacks, the terms job that uses
 * it: scheduled hourly, and the only function allowed ses:SendEmail, on this identity and set only.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { regionKeys } from '#lib/config';
import { Mail } from '#lib/constructs/mail';
import { functionSpecs, type FunctionName } from '#lib/routes';
import { buildTestApp } from './test-app';

const standalone = (props: ConstructorParameters<typeof Mail>[2]) => {
  const stack = new Stack(new App(), 'MailTest', { env: { account: '123456789012', region: 'eu-central-1' } });
  const mail = new Mail(stack, 'Mail', props);
  return { stack, mail, template: Template.fromStack(stack) };
};

describe('the Mail construct', () => {
  it('suppresses bounces and complaints and sends them, with rejections, to the default event bus', () => {
    // Act
    const { template } = standalone({ identity: 'mail.example.com' });

    // Assert
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'reject']),
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      },
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'mail.example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('sends from no-reply@ a domain identity, or from the address identity itself', () => {
    // Act
    const domain = standalone({ identity: 'mail.example.com' }).mail;
    const address = standalone({ identity: 'terms@example.com' }).mail;

    // Assert
    expect(domain.fromAddress).toBe('no-reply@mail.example.com');
    expect(address.fromAddress).toBe('terms@example.com');
  });

  it('refuses a From address the identity cannot send', () => {
    // Act / Assert
    expect(() => standalone({ identity: 'mail.example.com', fromAddress: 'x@other.example' })).toThrow(
      'Mail Mail: fromAddress x@other.example is not sent by the identity mail.example.com',
    );
  });

  it('grants ses:SendEmail on its identity and configuration set only', () => {
    // Arrange
    const stack = new Stack(new App(), 'GrantTest', { env: { account: '123456789012', region: 'eu-central-1' } });
    const mail = new Mail(stack, 'Mail', { identity: 'mail.example.com' });
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

    // Act
    mail.grantSend(role);

    // Assert
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown[] }[] } } }).Properties
          .PolicyDocument.Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('ses:SendEmail');
    expect(statements[0]!.Resource).toHaveLength(2);
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':configuration-set/');
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':identity/');
    expect(JSON.stringify(statements[0]!.Resource)).toContain(
      stack.getLogicalId(mail.identity.node.defaultChild as never),
    );
  });
});

describe.each(regionKeys)('the %s stateless stack', (key) => {
  const { stacks } = buildTestApp();
  const stack = stacks[key].stateless;
  const template = Template.fromStack(stack);
  const logicalIdOf = (name: FunctionName) =>
    stack.getLogicalId(stack.functions[name].function.node.defaultChild as CfnFunction);

  it('runs the terms job every hour through EventBridge Scheduler, dead-lettering beside the sweep', () => {
    // Arrange
    const id = stack.getLogicalId(stack.termsJobSchedule.node.defaultChild as never);

    // Assert
    expect(template.toJSON().Resources[id].Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [logicalIdOf('runTermsJob'), 'Arn'] },
        DeadLetterConfig: {
          Arn: {
            'Fn::GetAtt': [stack.getLogicalId(stack.silentSweepDeadLetterQueue.node.defaultChild as never), 'Arn'],
          },
        },
      },
    });
  });

  it('lets only the functions that need mail send it, with MAILER naming the configuration set', () => {
    // Arrange
    const senders = (Object.keys(functionSpecs) as FunctionName[]).filter((name) =>
      (functionSpecs[name].needs as readonly string[]).includes('mail:send'),
    );
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('ses:SendEmail'),
    );

    // Assert
    // the terms' notices; an invitation's notice to a confirmed user it links (docs/accounts.md)
    expect([...senders].sort()).toEqual(['accountPeople', 'putOrder', 'runTermsJob']);
    expect(policies).toHaveLength(senders.length);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MAILER: {
            'Fn::Join': [
              '',
              ['ses:', { Ref: stack.getLogicalId(stack.mail.configurationSet.node.defaultChild as never) }],
            ],
          },
          MAIL_FROM: 'no-reply@ucx-cloud.example',
        }),
      },
    });
  });
});
