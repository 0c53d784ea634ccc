/**
 * The vendor's machine clients in both regions: the Lambda authorizer on exactly the
 * 'staff-or-machine' routes (REQUEST, simple responses, 60 s cache per token and route), the
 * resource server's scopes, the pool's domain, and the clients function's grant on its own pool.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { regionKeys } from '#lib/config';
import { routes } from '#lib/routes';
import { buildTestApp, testConfig } from './test-app';

const { stacks } = buildTestApp();

describe.each(regionKeys)('the %s machine clients', (key) => {
  const stack = stacks[key].stateless;
  const template = Template.fromStack(stack);
  const poolId = stack.getLogicalId(stack.userPool.node.defaultChild as never);
  const authorizeId = stack.getLogicalId(stack.functions.authorize.function.node.defaultChild as never);

  it('puts the Lambda authorizer on exactly the staff-or-machine routes', () => {
    // Arrange
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer', {
      Properties: { AuthorizerType: 'REQUEST' },
    });
    const [authorizerId, authorizer] = Object.entries(authorizers)[0]!;
    const custom = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter((r) => r.Properties.AuthorizationType === 'CUSTOM')
      .map((r) => {
        expect(r.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
        return r.Properties.RouteKey as string;
      });

    // Assert
    expect(Object.keys(authorizers)).toHaveLength(1);
    expect(authorizer.Properties).toMatchObject({
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
      AuthorizerResultTtlInSeconds: 60,
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(authorizeId);
    expect(custom.sort()).toEqual(
      routes
        .filter((r) => r.auth === 'staff-or-machine')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    expect(custom).toEqual(
      expect.arrayContaining(['PUT /v1/ops/orders/{orderId}', 'GET /v1/ops/accounts', 'GET /v1/accounts/{accountId}']),
    );
  });

  it('declares the ucx resource server with the two scopes, and a Cognito domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'ucx',
      UserPoolId: { Ref: poolId },
      Scopes: [
        { ScopeName: 'orders:write', ScopeDescription: Match.anyValue() },
        { ScopeName: 'accounts:read', ScopeDescription: Match.anyValue() },
      ],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: `ucx-${testConfig.stage}-${key}`,
      UserPoolId: { Ref: poolId },
    });
  });

  it('lets the clients function create and delete app clients of its own pool only', () => {
    // Arrange
    const role = stack.functions.accountPeople.function.role!;
    const roleId = stack.getLogicalId(role.node.defaultChild as never);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const clientActions = statements.filter((s) => JSON.stringify(s.Action).includes('UserPoolClient'));
    const everyCognitoAction = statements
      .filter((s) => JSON.stringify(s.Action).includes('cognito-idp:'))
      .flatMap((s) => [s.Action].flat());

    // Assert
    // Merged with the directory's actions into one statement on the same pool.
    expect(clientActions).toEqual([
      expect.objectContaining({
        Action: expect.arrayContaining(['cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient']),
        Resource: { 'Fn::GetAtt': [poolId, 'Arn'] },
      }),
    ]);
    expect(everyCognitoAction.filter((a) => a.includes('UserPoolClient')).sort()).toEqual([
      'cognito-idp:CreateUserPoolClient',
      'cognito-idp:DeleteUserPoolClient',
    ]);
    expect(everyCognitoAction).not.toContain('cognito-idp:*');
    // Nothing else may create clients: the authorizer only reads.
    const others = Object.values(template.findResources('AWS::IAM::Policy')).filter(
      (p) =>
        JSON.stringify(p.Properties.PolicyDocument).includes('CreateUserPoolClient') &&
        JSON.stringify(p.Properties.Roles) !== JSON.stringify([{ Ref: roleId }]),
    );
    expect(others).toEqual([]);
  });

  it('tells the authorizer the pool issuer, its JWKS and the portal client, and the clients function the token URL', () => {
    const env = (id: string) => template.toJSON().Resources[id].Properties.Environment.Variables;
    const authorize = env(authorizeId);
    expect(JSON.stringify(authorize.TOKEN_ISSUER)).toContain('cognito-idp.');
    expect(JSON.stringify(authorize.TOKEN_JWKS_URL)).toContain('/.well-known/jwks.json');
    expect(authorize.PORTAL_CLIENT_ID).toEqual({
      Ref: stack.getLogicalId(stack.userPoolClient.node.defaultChild as never),
    });
    const people = env(stack.getLogicalId(stack.functions.accountPeople.function.node.defaultChild as never));
    expect(JSON.stringify(people.TOKEN_URL)).toContain('/oauth2/token');
    expect(JSON.stringify(people.MACHINE_CLIENTS)).toContain('cognito:');
  });
});
