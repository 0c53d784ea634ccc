/**
 * A regional AWS WAF web ACL on a Cognito user pool: per source address, rate limits on the
 * operations that send e-mail (SignUp, ResendConfirmationCode, ForgotPassword) and on sign-in
 * (InitiateAuth, RespondToAuthChallenge), so a script can neither spend the pool's e-mail quota nor
 * guess passwords at speed. Cognito's JSON API names the operation in `X-Amz-Target`.
 */
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface RateLimit {
  /** requests per source address within the window; WAF's minimum is 10 */
  readonly limit: number;
  /** WAF's evaluation window: 60, 120, 300 or 600 seconds */
  readonly windowSeconds: 60 | 120 | 300 | 600;
}

export interface UserPoolFirewallProps {
  readonly userPool: IUserPool;
  /**
   * the operations that send e-mail
   * @default 20 per 5 minutes, as the local identity provider's sign-up limit
   */
  readonly emailSending?: RateLimit;
  /**
   * sign-in and its challenges
   * @default 100 per 5 minutes
   */
  readonly signIn?: RateLimit;
}

const emailSendingOperations = ['SignUp', 'ResendConfirmationCode', 'ForgotPassword'];
const signInOperations = ['InitiateAuth', 'RespondToAuthChallenge'];

/** `X-Amz-Target: AWSCognitoIdentityProviderService.<operation>`, one of `operations`. */
function targetIsOneOf(operations: readonly string[]): CfnWebACL.StatementProperty {
  const matches = operations.map(
    (operation): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { singleHeader: { Name: 'x-amz-target' } },
        positionalConstraint: 'EXACTLY',
        searchString: `AWSCognitoIdentityProviderService.${operation}`,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    }),
  );
  return matches.length === 1 ? matches[0]! : { orStatement: { statements: matches } };
}

export class UserPoolFirewall extends Construct {
  public readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: UserPoolFirewallProps) {
    super(scope, id);
    const emailSending = props.emailSending ?? { limit: 20, windowSeconds: 300 };
    const signIn = props.signIn ?? { limit: 100, windowSeconds: 300 };
    for (const [name, rate] of Object.entries({ emailSending, signIn }))
      if (rate.limit < 10)
        throw new Error(`UserPoolFirewall ${id}: ${name}.limit ${rate.limit} is below WAF's minimum of 10`);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const rateRule = (name: string, priority: number, rate: RateLimit, operations: readonly string[]) => ({
      name,
      priority,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          aggregateKeyType: 'IP',
          limit: rate.limit,
          evaluationWindowSec: rate.windowSeconds,
          scopeDownStatement: targetIsOneOf(operations),
        },
      },
      visibilityConfig: visibility(name),
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'Per-address rate limits on the user pool: e-mail sending operations and sign-in',
      rules: [
        rateRule('EmailSendingPerAddress', 0, emailSending, emailSendingOperations),
        rateRule('SignInPerAddress', 1, signIn, signInOperations),
      ],
      visibilityConfig: visibility('UserPoolFirewall'),
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.userPool.userPoolArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
