/**
 * What CloudFront requires in us-east-1, whatever the service's regions: one AWS WAF web ACL per
 * region (`ucx-<stage>-<region>-edge`, lib/constructs/edge-firewall.ts), attached to that region's
 * portal distribution, which also serves the API on `/v1/*`. One per region so that each region's
 * rate limits are its own. The stateless stacks read the ARNs through CDK's cross-region
 * references (an SSM parameter written here, read there by a custom resource).
 */
import { Stack, type StackProps, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { regionKeys, type AppConfig, type RegionKey } from '../config';
import { EdgeFirewall } from '../constructs/edge-firewall';

/** CloudFront takes web ACLs, certificates and Lambda@Edge from this region only. */
export const edgeRegion = 'us-east-1';

export interface EdgeStackProps extends StackProps {
  /** the validated app configuration */
  readonly config: AppConfig;
}

export class EdgeStack extends Stack {
  /** per region key: the web ACL its portal distribution is attached to */
  public readonly firewalls: Readonly<Record<RegionKey, EdgeFirewall>>;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    if (!Token.isUnresolved(this.region) && this.region !== edgeRegion)
      throw new Error(`EdgeStack ${id}: CloudFront web ACLs are created in ${edgeRegion}, not ${this.region}`);
    const firewalls = {} as Record<RegionKey, EdgeFirewall>;
    for (const key of regionKeys) {
      firewalls[key] = new EdgeFirewall(this, `${key.toUpperCase()}Firewall`, {
        name: `ucx-${props.config.stage}-${key}-edge`,
      });
    }
    this.firewalls = firewalls;
  }
}
