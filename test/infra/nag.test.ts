/**
 * cdk-nag's AwsSolutions checks over the whole stack set (both regions and the edge stack, seven stacks), synthesized
 * once with bundling skipped: zero unsuppressed errors or warnings, and every acknowledgement
 * carries its reason. cdk-nag 3 reports as a CDK policy-validation plugin: synth throws and the
 * findings are in the assembly's validation report, which this test reads and lists.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { buildApp } from '#lib/app';
import { addNagChecks, wildcardResourceReason } from '#lib/nag';
import { testApp, testConfig } from './test-app';

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      ruleName: string;
      description: string;
      severity: string;
      violatingConstructs: readonly { constructPath: string }[];
    }[];
  }[];
}

/** Synthesizes with the checks on; the findings, one line each, empty when clean. */
function nagFindings(build: (app: App) => void): { findings: string[]; app: App } {
  const outdir = mkdtempSync(join(tmpdir(), 'ucx-nag-'));
  const app = testApp({ outdir });
  build(app);
  addNagChecks(app);
  try {
    app.synth();
  } catch (error) {
    const report = join(outdir, 'validation-report.json');
    if (!existsSync(report)) throw error;
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as ValidationReport;
    return {
      app,
      findings: parsed.pluginReports.flatMap((p) =>
        p.violations.flatMap((v) =>
          v.violatingConstructs.map((c) => `${v.severity} ${v.ruleName} at ${c.constructPath}: ${v.description}`),
        ),
      ),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return { app, findings: [] };
}

describe('cdk-nag AwsSolutions over both regions', () => {
  let clean: { findings: string[]; app: App };
  beforeAll(() => {
    clean = nagFindings((app) => buildApp(app, testConfig));
  });

  it('reports no unsuppressed error or warning', () => {
    // Assert
    expect(clean.findings).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    // Arrange
    const acknowledged = clean.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));

    // Assert
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect({ id, reason: typeof reason === 'string' && reason.length >= 20 }).toEqual({ id, reason: true });
    }
  });

  it('still fails on a new finding (the check can fail)', () => {
    // Arrange, Act: a small stack of its own, so the suite synthesizes the stack set only once
    const { findings } = nagFindings((app) => {
      new Queue(new Stack(app, 'ucx-test-eu-stateless'), 'UnguardedQueue');
    });

    // Assert
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('AwsSolutions-SQS3 at ucx-test-eu-stateless/UnguardedQueue'),
        expect.stringContaining('AwsSolutions-SQS4 at ucx-test-eu-stateless/UnguardedQueue'),
      ]),
    );
  });
});

describe('wildcardResourceReason', () => {
  it('never accepts a wildcard action, nor * on data actions', () => {
    // Assert
    expect(
      wildcardResourceReason('Action::s3:*', [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }]),
    ).toBeUndefined();
    expect(
      wildcardResourceReason('Resource::*', [
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'dynamodb:GetItem'], Resource: '*' },
      ]),
    ).toBeUndefined();
    expect(
      wildcardResourceReason('Resource::arn:aws:kms:eu-central-1:1:key/*', [
        { Effect: 'Allow', Action: 'kms:Sign', Resource: 'arn:aws:kms:eu-central-1:1:key/*' },
      ]),
    ).toBeUndefined();
  });

  it('accepts X-Ray on * and GetPublicKey narrowed by alias', () => {
    // Assert
    expect(
      wildcardResourceReason('Resource::*', [
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      ]),
    ).toMatch(/X-Ray/);
    expect(
      wildcardResourceReason('Resource::arn:aws:kms:eu-central-1:1:key/*', [
        {
          Effect: 'Allow',
          Action: 'kms:GetPublicKey',
          Resource: 'arn:aws:kms:eu-central-1:1:key/*',
          Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/x'] } },
        },
      ]),
    ).toMatch(/alias/);
  });
});
