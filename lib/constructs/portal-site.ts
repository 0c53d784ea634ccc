/**
 * The portal's static site: a private S3 bucket read only by CloudFront through origin access
 * control, HTTPS only, a response headers policy with the security headers (the same as the local
 * router's, plus HSTS), and optionally the regional HTTP API behind `/v1/*` on the same origin, so
 * the app needs no CORS and no API URL of its own.
 */
import { DefaultStackSynthesizer, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildPortalSync, portalDir } from '../../portal/bundle';
import type { RegionKey } from '../config';

/**
 * What the portal reads at `/config.json` when it starts (portal/src/config.ts): which region it
 * is, where the API and the user pool are, and the portals it may link to.
 */
export interface PortalRuntimeConfig {
  readonly region: string;
  /** which of the two regions this portal serves */
  readonly regionKey: RegionKey;
  /** the regional HTTP API's URL (the portal itself calls `/v1/` on its own origin) */
  readonly apiBaseUrl: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** each region's portal URL where known (`ucx.portal.domains`); the other region's is linked to */
  readonly portals: Partial<Record<RegionKey, string>>;
}

export interface PortalSiteProps {
  /**
   * the built portal: a directory to upload as it is, or `'build'` to build `portal/` with esbuild
   * at synth time (CDK local bundling: offline, no Docker); none: an empty bucket
   */
  readonly assetDir?: string | 'build';
  /** deployed as `/config.json` beside the app (tokens allowed: resolved at deploy time) */
  readonly runtimeConfig?: PortalRuntimeConfig;
  /** the regional HTTP API's domain (`<id>.execute-api.<region>.amazonaws.com`) served at `/v1/*`; none: no API behaviour */
  readonly apiDomainName?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** the ARN of a CLOUDFRONT-scope AWS WAF web ACL (lib/constructs/edge-firewall.ts); none: no WAF */
  readonly webAclArn?: string;
}

/**
 * Script, styles and API all from the site itself; nothing may frame it. With a region, the
 * portal may also call that region's Cognito endpoint (sign-in, sign-up, password reset).
 */
export function portalContentSecurityPolicy(cognitoRegion?: string): string {
  const connect = cognitoRegion ? `'self' https://cognito-idp.${cognitoRegion}.amazonaws.com` : "'self'";
  return `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'`;
}

/** The portal's source as an asset built by esbuild on the synthesizing machine. */
export function portalBuildSource(): s3deploy.ISource {
  return s3deploy.Source.asset(portalDir, {
    exclude: ['dist', 'node_modules'],
    bundling: {
      // Never pulled: the local build below always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      local: {
        tryBundle(outputDir: string): boolean {
          buildPortalSync(outputDir);
          return true;
        },
      },
    },
  });
}

export class PortalSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** the upload of the app and its config.json, when there is one */
  public readonly deployment?: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: PortalSiteProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // Earlier builds stay 30 days, for a rollback by hand; then they go (CT.S3.PR.3, CT.S3.PR.6).
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'UCX portal security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: portalContentSecurityPolicy(props.runtimeConfig ? Stack.of(this).region : undefined),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
      },
    });
    const apiOrigin = props.apiDomainName
      ? new origins.HttpOrigin(props.apiDomainName, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY })
      : undefined;
    const toApi = (origin: cloudfront.IOrigin): cloudfront.BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
    });
    // The API's JWKS (/.well-known/jwks.json) too, so agents and tools find it on the portal's host.
    const apiBehaviour: Record<string, cloudfront.BehaviorOptions> = apiOrigin
      ? { '/v1/*': toApi(apiOrigin), '/.well-known/*': toApi(apiOrigin) }
      : {};
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'UCX Cloud portal',
      defaultRootObject: 'index.html',
      // No minimumProtocolVersion: without a custom certificate CloudFront ignores it (CFR4 below).
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
      },
      additionalBehaviors: apiBehaviour,
      webAclId: props.webAclArn,
    });
    if (props.assetDir || props.runtimeConfig) {
      const sources: s3deploy.ISource[] = [];
      if (props.assetDir)
        sources.push(props.assetDir === 'build' ? portalBuildSource() : s3deploy.Source.asset(props.assetDir));
      if (props.runtimeConfig) sources.push(s3deploy.Source.jsonData('config.json', props.runtimeConfig));
      // The provider's role is ours, closed to CDK's grants (whose wildcard actions the house
      // never acknowledges): exactly the actions the copy and the invalidation need.
      const role = new iam.Role(this, 'DeployRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'UCX portal upload: read the asset, write the portal bucket, invalidate the distribution',
      });
      const logGroup = new logs.LogGroup(this, 'DeployLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // The bootstrap's asset bucket (`cdk-<qualifier>-assets-<account>-<region>`), where the build is staged.
      const qualifier =
        (Stack.of(this).node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ??
        DefaultStackSynthesizer.DEFAULT_QUALIFIER;
      const assetsBucket = `arn:${Stack.of(this).partition}:s3:::cdk-${qualifier}-assets-${Stack.of(this).account}-${Stack.of(this).region}`;
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${assetsBucket}/*`] }));
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [this.bucket.arnForObjects('*')],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
          resources: [
            Stack.of(this).formatArn({
              service: 'cloudfront',
              region: '',
              resource: 'distribution',
              resourceName: this.distribution.distributionId,
            }),
          ],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
        sources,
        destinationBucket: this.bucket,
        distribution: this.distribution,
        // app.js keeps its name across builds: invalidate everything the build writes.
        distributionPaths: ['/index.html', '/app.js', '/app.js.map', '/styles.css', '/config.json'],
        memoryLimit: 256,
        role: role.withoutPolicyUpdates(),
        logGroup,
      });
      // The provider function is a singleton at stack level, outside this construct.
      for (const c of Stack.of(this).node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
        Validations.of(c).acknowledge({
          id: 'AwsSolutions-L1',
          reason: "the runtime of CDK's BucketDeployment provider is chosen by aws-cdk-lib, upgraded with it",
        });
      }
    }
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'static build output read only through CloudFront, whose standard logs record every access',
    });
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'built without a web ACL (tests of the site alone); the stacks attach the edge firewall',
      });
    }
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'customers and resellers sign in from any country; no geo restriction is in the terms',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'access logs need a log bucket with ACLs; enabled with the production domain, not in this slice',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'the default *.cloudfront.net certificate allows TLSv1 at the viewer; TLS 1.2 applies once a custom domain certificate is set',
      },
    );
  }
}
