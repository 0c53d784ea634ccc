/**
 * Issue 17, finding 15: AWS Control Tower's proactive controls, the cfn-guard rules and binary
 * shipped in @cdklabs/cdk-validator-cfnguard (offline), over every synthesized template. A
 * violation must be fixed or acknowledged in lib/guard-acknowledgements.ts with its reason, and an
 * acknowledgement that matches nothing any more must go. Slow: the binary reads each template once
 * per rule, so only the rules naming one of the app's resource types run (a quarter of them today).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, CfnResource, Validations } from 'aws-cdk-lib';
import { buildApp } from '#lib/app';
import { guardAcknowledgements, type GuardAcknowledgement } from '#lib/guard-acknowledgements';
import { testApp, testConfig } from './test-app';

interface Violation {
  readonly rule: string;
  readonly stack: string;
  /** construct path without the stack name */
  readonly path: string;
  readonly description: string;
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly violations: readonly {
      ruleName: string;
      description: string;
      violatingConstructs: readonly { constructPath?: string; resourceLogicalId?: string; templatePath: string }[];
    }[];
  }[];
}

const guardRulesDir = join('node_modules', '@cdklabs', 'cdk-validator-cfnguard', 'rules', 'control-tower', 'cfn-guard');
const resourceTypesIn = (text: string) => new Set(text.match(/AWS::\w+::\w+/g));

/**
 * The rule files naming none of the app's resource types: a rule selects resources by type, so
 * such a rule can flag nothing, and skipping them cuts cfn-guard's run about fourfold.
 */
function rulesForOtherTypes(appTypes: ReadonlySet<string>): string[] {
  return (readdirSync(guardRulesDir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.guard'))
    .filter(
      (file) => ![...resourceTypesIn(readFileSync(join(guardRulesDir, file), 'utf8'))].some((t) => appTypes.has(t)),
    )
    .map((file) => basename(file, '.guard'));
}

function guardViolations(): Violation[] {
  const outdir = mkdtempSync(join(tmpdir(), 'ucx-guard-'));
  const app = testApp({ outdir });
  buildApp(app, testConfig);
  const appTypes = new Set(
    app.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .map((r) => r.cfnResourceType),
  );
  // The stateless templates' JSON report is several MB.
  Validations.of(app).addPlugins(
    new CfnGuardValidator({ maxBuffer: 256 * 1024 * 1024, disabledRules: rulesForOtherTypes(appTypes) }),
  );
  try {
    const violations = synthesizedViolations(app, outdir);
    assertTypesKnown(outdir, appTypes);
    return violations;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes `app` into `outdir`: the guard's violations as its report names them, none when it passed. */
function synthesizedViolations(app: App, outdir: string): Violation[] {
  try {
    app.synth();
    return [];
  } catch (error) {
    const report = join(outdir, 'validation-report.json');
    if (!existsSync(report)) throw error;
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as ValidationReport;
    return parsed.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) =>
        v.violatingConstructs.map((c) => {
          const full = c.constructPath ?? c.resourceLogicalId ?? '?';
          const [stack = '?', ...rest] = full.split('/');
          return { rule: v.ruleName, stack, path: rest.join('/'), description: v.description.split('\n')[0]! };
        }),
      ),
    );
  }
}

/**
 * The rules were chosen from the construct tree: an AWS:: type that synthesis added would go
 * unchecked (it adds Custom:: ones, the cross-region exports, which no rule names).
 */
function assertTypesKnown(outdir: string, appTypes: ReadonlySet<string>): void {
  const templates = readdirSync(outdir).filter((file) => file.endsWith('.template.json'));
  const added = templates.flatMap((file) => {
    const { Resources = {} } = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as {
      Resources?: Record<string, { Type: string }>;
    };
    return Object.values(Resources)
      .map((r) => r.Type)
      .filter((t) => t.startsWith('AWS::') && !appTypes.has(t));
  });
  if (templates.length === 0 || added.length > 0)
    throw new Error(`synthesis wrote ${templates.length} templates, with types not in the construct tree: ${added}`);
}

const covers = (a: GuardAcknowledgement, v: Violation) => a.rule === v.rule && a.paths.test(v.path);

describe('AWS Control Tower proactive controls over every template', () => {
  let violations: Violation[];
  beforeAll(() => {
    violations = guardViolations();
  }, 600_000);

  it('finds nothing that is neither fixed nor acknowledged in lib/guard-acknowledgements.ts', () => {
    // Act
    const unacknowledged = violations
      .filter((v) => !guardAcknowledgements.some((a) => covers(a, v)))
      .map((v) => `${v.stack}/${v.path}: ${v.description}`);

    // Assert
    expect(unacknowledged).toEqual([]);
  });

  it('keeps no acknowledgement that matches nothing', () => {
    // Act
    const stale = guardAcknowledgements
      .filter((a) => !violations.some((v) => covers(a, v)))
      .map((a) => `${a.control} ${a.paths}`);

    // Assert
    expect(stale).toEqual([]);
  });

  it('gives every acknowledgement a reason and its control', () => {
    for (const a of guardAcknowledgements) {
      expect(a.reason.length).toBeGreaterThan(40);
      expect(a.control).toMatch(/^CT\.[A-Z0-9]+\.PR\.\d+$/);
    }
  });

  it('encrypts every log group with a KMS key and limits grants on every key to AWS services (fixed, not acknowledged)', () => {
    // Assert
    const fixed = ['cloudwatch_log_group_encrypted_check', 'kms_create_grant_aws_service_check'];
    expect(violations.filter((v) => fixed.includes(v.rule)).map((v) => `${v.stack}/${v.path}`)).toEqual([]);
    expect(guardAcknowledgements.filter((a) => fixed.includes(a.rule))).toEqual([]);
  });
});
