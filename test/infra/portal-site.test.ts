/** The portal site construct: private bucket behind origin access control, HTTPS only, security headers, the API on /v1/*. */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PortalSite } from '#lib/constructs/portal-site';

function template(props: ConstructorParameters<typeof PortalSite>[2] = {}, region = 'eu-central-1'): Template {
  const stack = new Stack(new App(), `ucx-portal-${region}`, { env: { account: '111111111111', region } });
  new PortalSite(stack, 'Portal', props);
  return Template.fromStack(stack);
}

describe.each(['eu-central-1', 'us-east-1'])('PortalSite in %s', (region) => {
  it('keeps the bucket private, encrypted and TLS-only', () => {
    const t = template({}, region);

    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('reads the bucket through origin access control only, redirects to HTTPS and sets the security headers', () => {
    const t = template({}, region);

    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        Origins: [
          Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } }),
        ],
      }),
    });
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'"),
          }),
          FrameOptions: Match.objectLike({ FrameOption: 'DENY' }),
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31536000 }),
          ContentTypeOptions: Match.objectLike({ Override: true }),
        }),
      }),
    });
  });

  it('puts the regional API behind /v1/* on the same origin, HTTPS only and uncached', () => {
    const t = template({ apiDomainName: 'abc123.execute-api.example.amazonaws.com' }, region);

    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/v1/*',
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: Match.arrayWith(['PATCH', 'DELETE']),
          }),
          Match.objectLike({ PathPattern: '/.well-known/*', ViewerProtocolPolicy: 'https-only' }),
        ],
      }),
    });
  });
});

describe('PortalSite with the portal built at synth time', () => {
  it('bundles portal/ with esbuild locally (no Docker) into the asset: index.html, app.js, styles.css; config.json beside it', () => {
    const { mkdtempSync, readdirSync, readFileSync, statSync } =
      jest.requireActual<typeof import('node:fs')>('node:fs');
    const { join } = jest.requireActual<typeof import('node:path')>('node:path');
    const { tmpdir } = jest.requireActual<typeof import('node:os')>('node:os');
    const outdir = mkdtempSync(join(tmpdir(), 'ucx-portal-build-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'ucx-portal-build', { env: { account: '111111111111', region: 'eu-central-1' } });
    const runtimeConfig = {
      region: 'eu-central-1',
      regionKey: 'eu' as const,
      apiBaseUrl: 'https://api.example',
      userPoolId: 'eu-central-1_abc',
      userPoolClientId: 'client',
      portals: { us: 'https://d222.cloudfront.net' },
    };
    new PortalSite(stack, 'Portal', { assetDir: 'build', runtimeConfig });
    app.synth();

    const assetDirs = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.') && statSync(join(outdir, d)).isDirectory())
      .map((d) => join(outdir, d));
    const staged = assetDirs.map((d) => readdirSync(d).sort());
    const configJson = assetDirs.flatMap((d) =>
      readdirSync(d).includes('config.json') ? [JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'))] : [],
    );
    expect(staged).toContainEqual(expect.arrayContaining(['app.js', 'index.html', 'styles.css']));
    expect(configJson).toEqual([runtimeConfig]);
  });
});

describe('PortalSite under cdk-nag AwsSolutions', () => {
  it('leaves no unsuppressed finding, each acknowledgement with its reason', () => {
    const { mkdtempSync, existsSync, readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const { join } = jest.requireActual<typeof import('node:path')>('node:path');
    const { tmpdir } = jest.requireActual<typeof import('node:os')>('node:os');
    const { addNagChecks } = jest.requireActual<typeof import('#lib/nag')>('../../lib/nag');
    const outdir = mkdtempSync(join(tmpdir(), 'ucx-portal-nag-'));
    const app = new App({ outdir });
    new PortalSite(
      new Stack(app, 'ucx-portal-nag', { env: { account: '111111111111', region: 'eu-central-1' } }),
      'Portal',
      { apiDomainName: 'abc.execute-api.eu-central-1.amazonaws.com' },
    );
    addNagChecks(app);

    let findings: string[] = [];
    try {
      app.synth();
    } catch (error) {
      const report = join(outdir, 'validation-report.json');
      if (!existsSync(report)) throw error;
      const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
        pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
      };
      findings = parsed.pluginReports.flatMap((p) =>
        p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
      );
    }

    expect(findings).toEqual([]);
  });
});
