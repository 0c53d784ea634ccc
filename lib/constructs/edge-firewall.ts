/**
 * The AWS WAF web ACL in front of one region's CloudFront distribution (portal and API on `/v1/*`):
 * AWS's managed IP-reputation, common and known-bad-inputs rule groups, then rate limits. Per
 * installation on the agent routes (the key is the URI path, which carries the installation id),
 * so one misbehaving agent cannot spend its region's poll or ingest budget; per source address on
 * the agent routes (generous: a customer's fleet often leaves through one proxy) and on the rest.
 * HTTP APIs take no web ACL; CloudFront does, from us-east-1 only (lib/stacks/edge-stack.ts).
 */
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { minimumCycleSeconds } from '../../lambdas/core/telemetry/cadence';

/** Every agent route but activation starts so; the installation id is the next segment. */
export const installationPathPrefix = '/v1/installations/';

/** WAF's evaluation window for every rate rule here. */
export const edgeRateWindowSeconds = 300;

export interface EdgeRateLimits {
  /**
   * requests to one URI path under `/v1/installations/` (one installation's route) per window
   * @default 10 × the requests of the shortest telemetry cycle support may set
   */
  readonly perInstallationPath: number;
  /** requests per source address to the agent routes per window */
  readonly agentPerAddress: number;
  /** requests per source address to every other path per window */
  readonly otherPerAddress: number;
}

/**
 * The shortest cycle (a support override) sends one request per `minimumCycleSeconds` per route;
 * ten times that leaves room for retries after 5xx and 429 answers.
 */
export const defaultEdgeRateLimits: EdgeRateLimits = {
  perInstallationPath: 10 * Math.ceil(edgeRateWindowSeconds / minimumCycleSeconds),
  // 20 000 installations at the default 15-minute cycle behind one proxy, twice over.
  agentPerAddress: 50_000,
  // 10 requests a second sustained for a portal user, a back-office script or a vendor tool.
  otherPerAddress: 3_000,
};

export interface EdgeFirewallProps {
  /** `ucx-<stage>-<region>`: the web ACL's and its metrics' name */
  readonly name: string;
  /** @default defaultEdgeRateLimits */
  readonly rateLimits?: EdgeRateLimits;
}

const lowercase = [{ priority: 0, type: 'LOWERCASE' }];
const agentPaths: CfnWebACL.StatementProperty = {
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'STARTS_WITH',
    searchString: installationPathPrefix,
    textTransformations: lowercase,
  },
};
const activationPath: CfnWebACL.StatementProperty = {
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'EXACTLY',
    searchString: '/v1/activations',
    textTransformations: lowercase,
  },
};

export class EdgeFirewall extends Construct {
  public readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    const limits = props.rateLimits ?? defaultEdgeRateLimits;
    for (const [key, limit] of Object.entries(limits))
      if (limit < 10) throw new Error(`EdgeFirewall ${id}: ${key} ${limit} is below WAF's minimum of 10`);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.name}-${metricName}`,
    });
    const managed = (name: string, priority: number, ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[]) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
      visibilityConfig: visibility(name),
    });
    // 429, not WAF's default 403: the agent backs off and retries a 429 (docs/agent.md).
    const tooMany = { block: { customResponse: { responseCode: 429 } } };
    const rate = (
      name: string,
      priority: number,
      limit: number,
      scopeDownStatement: CfnWebACL.StatementProperty,
      byPath = false,
    ) => ({
      name,
      priority,
      action: tooMany,
      statement: {
        rateBasedStatement: {
          limit,
          evaluationWindowSec: edgeRateWindowSeconds,
          scopeDownStatement,
          ...(byPath
            ? { aggregateKeyType: 'CUSTOM_KEYS', customKeys: [{ uriPath: { textTransformations: lowercase } }] }
            : { aggregateKeyType: 'IP' }),
        },
      },
      visibilityConfig: visibility(name),
    });
    const agentRoutes: CfnWebACL.StatementProperty = { orStatement: { statements: [agentPaths, activationPath] } };
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'UCX edge: managed rule groups, per-installation and per-address rate limits',
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        // Telemetry batches exceed the group's 8 KB body limit; the API bounds body sizes itself.
        managed('AWSManagedRulesCommonRuleSet', 1, [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        rate('PerInstallation', 3, limits.perInstallationPath, agentPaths, true),
        rate('AgentPerAddress', 4, limits.agentPerAddress, agentRoutes),
        rate('OtherPerAddress', 5, limits.otherPerAddress, { notStatement: { statement: agentRoutes } }),
      ],
      visibilityConfig: visibility('all'),
    });
  }
}
