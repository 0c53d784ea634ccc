/**
 * The portal's static site: a private S3 bucket read only by CloudFront through origin access
 * control, HTTPS only, a response headers policy with the security headers (the same as the local
 * router's, plus HSTS), and optionally the regional HTTP API behind `/v1/*` on the same origin, so
 * the app needs no CORS and no API URL of its own.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

export interface PortalSiteProps {
  /** the built portal (`portal/dist`); none: an empty bucket (tests, a first deploy) */
  readonly assetDir?: string;
  /** the regional HTTP API's domain (`<id>.execute-api.<region>.amazonaws.com`) served at `/v1/*`; none: no API behaviour */
  readonly apiDomainName?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Script, styles and API all from the site itself; nothing may frame it. */
export const portalContentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

export class PortalSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: PortalSiteProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'UCX portal security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: portalContentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: true, override: true },
      },
    });
    const apiBehaviour: Record<string, cloudfront.BehaviorOptions> = props.apiDomainName
      ? {
          '/v1/*': {
            origin: new origins.HttpOrigin(props.apiDomainName, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
            viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
            cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
            originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            responseHeadersPolicy: this.responseHeadersPolicy,
          },
        }
      : {};
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'UCX Cloud portal',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
      },
      additionalBehaviors: apiBehaviour,
    });
    if (props.assetDir) {
      new s3deploy.BucketDeployment(this, 'Deploy', {
        sources: [s3deploy.Source.asset(props.assetDir)],
        destinationBucket: this.bucket,
        distribution: this.distribution,
        distributionPaths: ['/index.html'],
      });
    }
    Validations.of(this.bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'static build output read only through CloudFront, whose standard logs record every access' });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'customers and resellers sign in from any country; no geo restriction is in the terms' },
      { id: 'AwsSolutions-CFR2', reason: 'static files and the API behind its own per-route throttles and JWT authorizer; WAF is a later cost decision' },
      { id: 'AwsSolutions-CFR3', reason: 'access logs need a log bucket with ACLs; enabled with the production domain, not in this slice' },
      { id: 'AwsSolutions-CFR4', reason: 'the default *.cloudfront.net certificate allows TLSv1 at the viewer; TLS 1.2 applies once a custom domain certificate is set' },
    );
  }
}
