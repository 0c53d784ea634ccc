/**
 * The user pool's sign-in policy in both regions: the Pre Token Generation trigger (V2_0) that
 * withholds the staff groups until TOTP is on, with only AdminGetUser on its own pool; threat
 * protection enforced on the Plus plan; SRP only with 5-minute tokens; the WAF rate limits.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { regionKeys } from '#lib/config';
import { buildTestApp } from './test-app';

const { stacks } = buildTestApp();

describe.each(regionKeys)('the %s user pool', (key) => {
  const stack = stacks[key].stateless;
  const template = Template.fromStack(stack);
  const poolId = stack.getLogicalId(stack.userPool.node.defaultChild as never);
  const triggerId = stack.getLogicalId(stack.functions.preTokenGeneration.function.node.defaultChild as never);

  it('calls the Pre Token Generation trigger with the V2_0 event (ID and access tokens)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [triggerId, 'Arn'] }, LambdaVersion: 'V2_0' },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
    });
  });

  it('lets the trigger read MFA settings of its own pool only, in a policy apart from the role', () => {
    // Arrange
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('cognito-idp:'),
    );
    const role = stack.functions.preTokenGeneration.function.role!;
    const roleId = stack.getLogicalId(role.node.defaultChild as never);
    const trigger = policies.filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));

    // Assert
    expect(trigger).toHaveLength(1);
    expect(trigger[0]!.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'cognito-idp:AdminGetUser', Effect: 'Allow', Resource: { 'Fn::GetAtt': [poolId, 'Arn'] } },
    ]);
    // The function does not wait for this policy: the pool depends on the function, this policy on the pool.
    const fn = template.toJSON().Resources[triggerId];
    expect(JSON.stringify(fn.DependsOn ?? [])).not.toContain('PreTokenGenerationReadsMfa');
  });

  it('is on the Plus plan with threat protection enforced, MFA by TOTP only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('has a client that signs in with SRP only, 5-minute ID and access tokens, a 12-hour refresh token, revocable', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      IdTokenValidity: 5,
      AccessTokenValidity: 5,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
    });
    const text = JSON.stringify(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(text).not.toContain('USER_PASSWORD_AUTH');
  });

  it("sends Cognito's e-mails through the region's SES identity and configuration set", () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: stack.mail.fromAddress,
        SourceArn: Match.anyValue(),
        ConfigurationSet: { Ref: stack.getLogicalId(stack.mail.configurationSet.node.defaultChild as never) },
      },
    });
  });

  it('has a WAF web ACL on the pool that limits e-mail sending and sign-in per source address', () => {
    // Arrange
    const [aclId, acl] = Object.entries(template.findResources('AWS::WAFv2::WebACL'))[0]!;
    const rules = acl.Properties.Rules as {
      Name: string;
      Action: unknown;
      Statement: { RateBasedStatement: { AggregateKeyType: string; Limit: number; ScopeDownStatement: unknown } };
    }[];

    // Assert
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    expect(acl.Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(rules.map((r) => [r.Name, r.Action, r.Statement.RateBasedStatement.AggregateKeyType])).toEqual([
      ['EmailSendingPerAddress', { Block: {} }, 'IP'],
      ['SignInPerAddress', { Block: {} }, 'IP'],
    ]);
    expect(rules[0]!.Statement.RateBasedStatement.Limit).toBe(20);
    expect(JSON.stringify(rules[0]!.Statement.RateBasedStatement.ScopeDownStatement)).toContain(
      'AWSCognitoIdentityProviderService.SignUp',
    );
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
    });
  });
});
