/**
 * Issue 17, finding 2: AWS WAF in front of the API where it can take it. HTTP APIs take no web
 * ACL, so each region's CloudFront distribution (portal, and the API on /v1/*) gets one from the
 * us-east-1 edge stack: managed rule groups, a rate limit per installation on the agent routes
 * and per source address. And the stream consumers and the sweep have reserved concurrency.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { edgeStackId } from '#lib/app';
import { regionKeys } from '#lib/config';
import { defaultEdgeRateLimits, edgeRateWindowSeconds, installationPathPrefix } from '#lib/constructs/edge-firewall';
import { functionSpecs, type FunctionSpec } from '#lib/routes';
import { minimumCycleSeconds } from '#lambdas/core/telemetry/cadence';
import { buildTestApp, testConfig } from './test-app';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}
interface Rule {
  readonly Name: string;
  readonly Action?: unknown;
  readonly Statement: {
    RateBasedStatement?: {
      Limit: number;
      EvaluationWindowSec: number;
      AggregateKeyType: string;
      CustomKeys?: unknown[];
      ScopeDownStatement: unknown;
    };
    ManagedRuleGroupStatement?: { VendorName: string; Name: string; RuleActionOverrides?: unknown[] };
  };
}

const { stacks } = buildTestApp();
const edge = stacks.eu.edge;
const edgeResources = Template.fromStack(edge).toJSON().Resources as Record<string, Resource>;
const webAcls = Object.values(edgeResources).filter((r) => r.Type === 'AWS::WAFv2::WebACL');
const webAcl = (key: string) => webAcls.find((r) => r.Properties['Name'] === `ucx-test-${key}-edge`)!;
const rule = (key: string, name: string) => (webAcl(key).Properties['Rules'] as Rule[]).find((r) => r.Name === name)!;

describe('the edge stack', () => {
  it('is one stack in us-east-1, with a CLOUDFRONT web ACL per region', () => {
    // Assert
    expect(edge.stackName).toBe(edgeStackId(testConfig));
    expect(edge.region).toBe('us-east-1');
    expect(stacks.us.edge).toBe(edge);
    expect(webAcls.map((r) => [r.Properties['Name'], r.Properties['Scope']]).sort()).toEqual(
      regionKeys.map((k) => [`ucx-test-${k}-edge`, 'CLOUDFRONT']),
    );
  });

  it.each(regionKeys)('runs the managed IP reputation, common and known-bad-inputs groups (%s)', (key) => {
    // Act
    const groups = (webAcl(key).Properties['Rules'] as Rule[]).flatMap((r) =>
      r.Statement.ManagedRuleGroupStatement ? [r.Statement.ManagedRuleGroupStatement.Name] : [],
    );

    // Assert
    expect(groups).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    // Telemetry batches are larger than the common group's 8 KB body limit: counted, not blocked.
    expect(rule(key, 'AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement?.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
  });

  it.each(regionKeys)('limits each installation on the agent routes by its URI path, answering 429 (%s)', (key) => {
    // Act
    const perInstallation = rule(key, 'PerInstallation');

    // Assert
    expect(perInstallation.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    expect(perInstallation.Statement.RateBasedStatement).toEqual({
      Limit: defaultEdgeRateLimits.perInstallationPath,
      EvaluationWindowSec: edgeRateWindowSeconds,
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [{ UriPath: { TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }] } }],
      ScopeDownStatement: {
        ByteMatchStatement: expect.objectContaining({
          FieldToMatch: { UriPath: {} },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: installationPathPrefix,
        }),
      },
    });
    // Ten times what the shortest cycle support may set sends in the window, and WAF's minimum at least.
    expect(defaultEdgeRateLimits.perInstallationPath).toBe(10 * Math.ceil(edgeRateWindowSeconds / minimumCycleSeconds));
    expect(defaultEdgeRateLimits.perInstallationPath).toBeGreaterThanOrEqual(10);
  });

  it.each(regionKeys)('limits each source address, generously on the agent routes (%s)', (key) => {
    // Act
    const agent = rule(key, 'AgentPerAddress').Statement.RateBasedStatement!;
    const other = rule(key, 'OtherPerAddress').Statement.RateBasedStatement!;

    // Assert
    expect([agent.AggregateKeyType, agent.Limit]).toEqual(['IP', defaultEdgeRateLimits.agentPerAddress]);
    expect([other.AggregateKeyType, other.Limit]).toEqual(['IP', defaultEdgeRateLimits.otherPerAddress]);
    expect(other.ScopeDownStatement).toEqual({ NotStatement: { Statement: agent.ScopeDownStatement } });
    expect(JSON.stringify(agent.ScopeDownStatement)).toContain('"SearchString":"/v1/activations"');
  });
});

describe.each(regionKeys)('the %s portal distribution', (key) => {
  const stateless = stacks[key].stateless;
  const resources = Template.fromStack(stateless).toJSON().Resources as Record<string, Resource>;

  it("is attached to its region's edge web ACL", () => {
    // Arrange
    const distribution = resources[stateless.getLogicalId(stateless.portal.distribution.node.defaultChild as never)]!;
    const webAclId = JSON.stringify((distribution.Properties['DistributionConfig'] as { WebACLId?: unknown }).WebACLId);
    const aclId = edge.getLogicalId(edge.firewalls[key].webAcl);

    // Assert: the same region imports it, another reads it through CDK's cross-region reader.
    if (stateless.region === edge.region) expect(webAclId).toMatch(new RegExp(`"Fn::ImportValue":"[^"]*${aclId}Arn`));
    else {
      expect(webAclId).toContain('Fn::GetAtt');
      expect(webAclId).toContain(aclId);
    }
  });

  it('reserves concurrency for the stream consumers and the sweep, covering every shard', () => {
    // Arrange
    const reserved = Object.fromEntries(
      (['archiveTelemetry', 'evaluateRules', 'sweepSilent'] as const).map((name) => [
        name,
        resources[stateless.getLogicalId(stateless.functions[name].function.node.defaultChild as never)]!.Properties[
          'ReservedConcurrentExecutions'
        ],
      ]),
    );

    // Assert
    expect(reserved).toEqual({
      archiveTelemetry: (functionSpecs.archiveTelemetry as FunctionSpec).reservedConcurrency,
      evaluateRules: (functionSpecs.evaluateRules as FunctionSpec).reservedConcurrency,
      sweepSilent: (functionSpecs.sweepSilent as FunctionSpec).reservedConcurrency,
    });
    expect(reserved.archiveTelemetry).toBeGreaterThanOrEqual(testConfig.telemetryShards);
    expect(reserved.evaluateRules).toBeGreaterThanOrEqual(testConfig.telemetryShards);
  });
});

it('refuses more shards than a stream consumer has reserved concurrency', () => {
  // Act / Assert
  expect(() => buildTestApp({ ...testConfig, telemetryShards: 11 })).toThrow(
    /ucx.telemetryShards 11 exceeds archiveTelemetry's reservedConcurrency 10/,
  );
});
