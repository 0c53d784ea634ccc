import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, parseAppConfig, stackId } from '#lib/app';
import { portalUrls } from '#lib/config';
import { buildTestApp, minimalUcxContext, testAccount, testApp, testConfig } from './test-app';

describe('the stack set', () => {
  it('has a stateful, a stateless and an operations stack per region, named ucx-<stage>-<region>-<kind>', () => {
    // Arrange / Act
    const { app } = buildTestApp();

    // Assert
    const stacks = app.node.children
      .filter((c) => c.node.id.startsWith('ucx-'))
      .map((c) => c.node.id)
      .sort();
    expect(stacks).toEqual([
      'ucx-test-edge',
      'ucx-test-eu-operations',
      'ucx-test-eu-stateful',
      'ucx-test-eu-stateless',
      'ucx-test-us-operations',
      'ucx-test-us-stateful',
      'ucx-test-us-stateless',
    ]);
  });

  it("passes CDK's built-in CloudFormation validation, whose findings cdk.json makes errors", () => {
    // Arrange: the one test app with the validation the other tests skip (test-app.ts)
    const outdir = mkdtempSync(join(tmpdir(), 'ucx-cfn-validate-'));
    const app = testApp({ outdir, builtinCloudFormationValidation: true });
    buildApp(app, testConfig);

    try {
      // Act: a finding would throw here
      app.synth();

      // Assert: the report is written only when the validation ran; it ran and found nothing
      expect(app.node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: unknown[];
      };
      expect(report.pluginReports).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('deploys each region to its own account and region, the replica region after the primary', () => {
    // Arrange
    const { app, stacks } = buildTestApp();

    // Act
    const assembly = app.synth();
    const dependencies = (id: string) =>
      assembly
        .getStackArtifact(id)
        .dependencies.map((d) => d.id)
        .filter((d) => !d.endsWith('.assets'));

    // Assert
    expect(stacks.eu.stateful.region).toBe('eu-central-1');
    expect(stacks.eu.stateless.region).toBe('eu-central-1');
    expect(stacks.us.stateful.region).toBe('us-east-1');
    expect(stacks.us.stateless.region).toBe('us-east-1');
    expect(stacks.us.stateless.account).toBe(testAccount);
    expect(dependencies('ucx-test-eu-stateful')).toEqual([]);
    expect(dependencies('ucx-test-us-stateful')).toEqual(['ucx-test-eu-stateful']);
    // The edge stack (us-east-1) holds each region's CloudFront web ACL.
    expect(dependencies('ucx-test-edge')).toEqual([]);
    expect(dependencies('ucx-test-eu-stateless').sort()).toEqual(['ucx-test-edge', 'ucx-test-eu-stateful']);
    expect(dependencies('ucx-test-us-stateless').sort()).toEqual(['ucx-test-edge', 'ucx-test-us-stateful']);
    expect(dependencies('ucx-test-eu-operations').sort()).toEqual(['ucx-test-eu-stateful', 'ucx-test-eu-stateless']);
    expect(dependencies('ucx-test-us-operations').sort()).toEqual(['ucx-test-us-stateful', 'ucx-test-us-stateless']);
  });

  it('follows the configured primary region', () => {
    // Arrange
    const config = { ...testConfig, primary: 'us' as const };

    // Act
    const { stacks } = buildTestApp(config);

    // Assert
    expect(stacks.us.stateful.isPrimary).toBe(true);
    expect(stacks.eu.stateful.dependencies).toContain(stacks.us.stateful);
    expect(stackId(config, 'us', 'stateful')).toBe('ucx-test-us-stateful');
  });
});

describe('parseAppConfig', () => {
  const valid = minimalUcxContext();

  it('adds each region its key and falls back to the CLI account', () => {
    // Act
    const config = parseAppConfig(valid, '210987654321');

    // Assert
    expect(config.regions.us).toEqual({ key: 'us', region: 'us-east-1', endpoint: 'https://us.api.example' });
    expect(config.account).toBe('210987654321');
  });

  it('prefers the account named in the context', () => {
    expect(parseAppConfig({ ...valid, account: '111122223333' }, '210987654321').account).toBe('111122223333');
  });

  it('names every bad field', () => {
    // Arrange
    const bad = { ...valid, primary: 'ap', nextPollSeconds: -1, regions: { eu: valid.regions.eu } };

    // Act / Assert
    expect(() => parseAppConfig(bad)).toThrow(
      /^invalid cdk\.json context: .*ucx\.primary: .*ucx\.regions\.us: .*ucx\.nextPollSeconds: /,
    );
  });

  it('defaults the telemetry shards and archive lifecycle when the context names none', () => {
    // Act
    const config = parseAppConfig(valid);

    // Assert
    expect(config.telemetryShards).toBe(2);
    expect(config.archive).toEqual({ glacierDays: 30, expireDays: 395, rawDays: 7 });
  });

  it("reads each region's portal domain (none by default) into the portal URLs config.json names", () => {
    // Act
    const config = parseAppConfig({ ...valid, portal: { domains: { us: 'd111abcdef8.cloudfront.net' } } });

    // Assert
    expect(config.portalDomains).toEqual({ us: 'd111abcdef8.cloudfront.net' });
    expect(portalUrls(config)).toEqual({ us: 'https://d111abcdef8.cloudfront.net' });
    expect(parseAppConfig(valid).portalDomains).toEqual({});
  });

  it('refuses a portal domain given as a URL', () => {
    expect(() => parseAppConfig({ ...valid, portal: { domains: { eu: 'https://portal.example.com/' } } })).toThrow(
      /ucx\.portal\.domains\.eu: a host name without scheme or path/,
    );
  });

  it('refuses an archive lifecycle S3 would refuse', () => {
    // Arrange
    const tooEarly = { ...valid, archive: { infrequentAccessDays: 10, glacierDays: 90, expireDays: 730 } };
    const tooClose = { ...valid, archive: { infrequentAccessDays: 30, glacierDays: 45, expireDays: 730 } };
    const expiresFirst = { ...valid, archive: { infrequentAccessDays: 30, glacierDays: 90, expireDays: 90 } };

    // Act / Assert
    expect(() => parseAppConfig(tooEarly)).toThrow(/ucx\.archive\.infrequentAccessDays: /);
    expect(() => parseAppConfig(tooClose)).toThrow(
      'ucx.archive.glacierDays: glacierDays must be at least infrequentAccessDays + 30',
    );
    expect(() => parseAppConfig(expiresFirst)).toThrow('ucx.archive.expireDays: expireDays must be after glacierDays');
    expect(() => parseAppConfig({ ...valid, telemetryShards: 0 })).toThrow(/ucx\.telemetryShards: /);
  });

  it('bills tables on demand unless told, and takes provisioned bounds with a 70 % target by default', () => {
    // Arrange
    const bounds = { read: { min: 5, max: 100 }, write: { min: 10, max: 200 } };
    // Act
    const plain = parseAppConfig(valid);
    const provisioned = parseAppConfig({
      ...valid,
      tableCapacity: { licensing: { mode: 'on-demand' }, support: { mode: 'provisioned', ...bounds } },
    });
    // Assert
    expect(plain.tableCapacity).toEqual({ licensing: { mode: 'on-demand' }, support: { mode: 'on-demand' } });
    expect(provisioned.tableCapacity.support).toEqual({ mode: 'provisioned', targetUtilisationPercent: 70, ...bounds });
  });

  it('rejects provisioned bounds that cannot scale, naming the field', () => {
    // Arrange
    const support = (extra: Record<string, unknown>) => ({
      ...valid,
      tableCapacity: {
        licensing: { mode: 'on-demand' },
        support: { mode: 'provisioned', read: { min: 5, max: 100 }, write: { min: 10, max: 200 }, ...extra },
      },
    });
    // Act / Assert
    expect(() => parseAppConfig(support({ write: { min: 50, max: 10 } }))).toThrow(
      'ucx.tableCapacity.support.write.max: max must be at least min',
    );
    expect(() => parseAppConfig(support({ targetUtilisationPercent: 95 }))).toThrow(
      /ucx\.tableCapacity\.support\.targetUtilisationPercent: /,
    );
    expect(() => parseAppConfig(support({ read: undefined }))).toThrow(/ucx\.tableCapacity\.support\.read: /);
    expect(() => parseAppConfig({ ...valid, tableCapacity: { licensing: { mode: 'reserved' } } })).toThrow(
      /ucx\.tableCapacity\.licensing\.mode: /,
    );
  });

  it('rejects a missing context', () => {
    expect(() => parseAppConfig(undefined)).toThrow(/^invalid cdk\.json context: /);
  });

  it('accepts the ucx context that cdk.json ships', () => {
    // testConfig is cdk.json's context with stage and account replaced
    expect(testConfig).toMatchObject({
      primary: 'eu',
      regions: {
        eu: { region: 'eu-central-1', endpoint: 'https://eu.api.ucx-cloud.example' },
        us: { region: 'us-east-1', endpoint: 'https://us.api.ucx-cloud.example' },
      },
      nextPollSeconds: 900,
      licenseTtlDays: 30,
      logRetentionDays: 30,
      telemetryShards: 2,
      archive: { glacierDays: 30, expireDays: 395 },
    });
    expect(testConfig.archive.infrequentAccessDays).toBeUndefined();
  });
});
