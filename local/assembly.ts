/**
 * Builds and reads the CDK cloud assembly: the stacks per local region, their functions (bundle,
 * handler, resolved environment, timeout, memory) and HTTP routes. The local cloud runs what the
 * templates say, so local and cloud cannot drift.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { resolveValue, type ResolveContext, type StackContext, type Template } from './intrinsics';
import { keyRef } from './keys';
import { standInRef } from './stand-ins';

export type RegionKey = 'eu' | 'us';
export const regionKeys: readonly RegionKey[] = ['eu', 'us'];

export interface LocalStack extends StackContext {
  readonly regionKey: RegionKey;
  /** directory holding the template and the asset folders */
  readonly dir: string;
  /** asset hash (S3 object key without `.zip`) → absolute asset directory */
  readonly assets: ReadonlyMap<string, string>;
}

export interface LocalFunction {
  readonly regionKey: RegionKey;
  readonly stackName: string;
  readonly logicalId: string;
  /** the local physical name (AWS_LAMBDA_FUNCTION_NAME) */
  readonly name: string;
  readonly assetDir: string;
  /** `Handler` of the template, e.g. `index.handler` */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** the template environment, intrinsics resolved against local names (before local overrides) */
  readonly environment: Readonly<Record<string, string>>;
}

export interface LocalRoute {
  readonly regionKey: RegionKey;
  readonly logicalId: string;
  /** `GET /v1/accounts/{accountId}`, `ANY /{proxy+}` or `$default` */
  readonly routeKey: string;
  readonly authorizationType: string;
  /** logical id of the target function in `stackName` */
  readonly functionKey: string;
  /** a CUSTOM route's Lambda authorizer (REQUEST, payload 2.0) */
  readonly lambdaAuthorizer?: LocalLambdaAuthorizer;
}

export interface LocalLambdaAuthorizer {
  /** the authorizer function's key, as `functionKey` */
  readonly functionKey: string;
  /** `$request.header.Authorization`, `$context.routeKey`, …: what a cached result is keyed on */
  readonly identitySource: readonly string[];
  /** 0: no cache */
  readonly resultTtlSeconds: number;
  readonly simpleResponses: boolean;
}

/**
 * An `AWS::Lambda::EventSourceMapping` of the templates, its properties read with Lambda's
 * defaults for a stream source (see local/event-sources.ts, which polls the Kinesis ones).
 */
export interface LocalEventSourceMapping {
  readonly regionKey: RegionKey;
  readonly stackName: string;
  readonly logicalId: string;
  /** key of the target function in {@link Assembly.functions} (see {@link functionKey}) */
  readonly functionKey: string;
  /** resolved against local names: `arn:aws:kinesis:<region>:<account>:stream/<local name>` */
  readonly eventSourceArn: string;
  readonly enabled: boolean;
  /** `TRIM_HORIZON`, `LATEST` or `AT_TIMESTAMP` */
  readonly startingPosition: string;
  /** epoch seconds, for `AT_TIMESTAMP` */
  readonly startingPositionTimestamp?: number;
  /** @default 100 */
  readonly batchSize: number;
  /** @default 0 */
  readonly maximumBatchingWindowSeconds: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 = until the records expire (Lambda's default) */
  readonly maximumRetryAttempts: number;
  /** -1 = until the records expire (Lambda's default) */
  readonly maximumRecordAgeSeconds: number;
  /** FunctionResponseTypes contains ReportBatchItemFailures */
  readonly reportBatchItemFailures: boolean;
  /** DestinationConfig.OnFailure.Destination, resolved (an SQS queue or SNS topic ARN) */
  readonly onFailureDestinationArn?: string;
  /** the function's execution role, as Lambda puts it into each record's invokeIdentityArn */
  readonly invokeIdentityArn: string;
}

/** An `AWS::Scheduler::Schedule` of the templates whose target is a local function. */
export interface LocalSchedule {
  readonly regionKey: RegionKey;
  readonly stackName: string;
  readonly logicalId: string;
  /** key of the target function in {@link Assembly.functions} */
  readonly functionKey: string;
  /** `rate(15 minutes)`, `cron(…)` or `at(…)` */
  readonly expression: string;
  /** `State` is not DISABLED */
  readonly enabled: boolean;
  /** `Target.Input` parsed, else `{}`: the function's event */
  readonly input: unknown;
  /** `Target.DeadLetterConfig.Arn`, resolved */
  readonly deadLetterArn?: string;
}

/** An `AWS::ApiGatewayV2::Api` of the templates with `ProtocolType: WEBSOCKET` (local/websocket.ts serves it). */
export interface LocalWebSocketApi {
  readonly regionKey: RegionKey;
  readonly stackName: string;
  readonly logicalId: string;
  /** the local api id (its physical name): `Ref` of the API */
  readonly apiId: string;
  /** e.g. `$request.body.op` */
  readonly routeSelectionExpression: string;
  /** the names of its `AWS::ApiGatewayV2::Stage`s */
  readonly stages: readonly string[];
  /** route key (`$connect`, `$default`, `subscribe`…) → key of the target function in {@link Assembly.functions} */
  readonly routes: Readonly<Record<string, string>>;
}

/** An HTTP API of the templates (the region's router serves its routes). */
export interface LocalHttpApi {
  readonly regionKey: RegionKey;
  readonly logicalId: string;
  readonly apiId: string;
}

/** An `AWS::SQS::Queue` of the templates (local/sqs.ts holds it). */
export interface LocalQueue {
  readonly regionKey: RegionKey;
  readonly stackName: string;
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** @default 30 */
  readonly visibilityTimeoutSeconds: number;
  /** @default 345600 (4 days) */
  readonly messageRetentionSeconds: number;
  /** @default 0 */
  readonly delaySeconds: number;
  /** `RedrivePolicy`, resolved */
  readonly deadLetter?: { readonly arn: string; readonly maxReceiveCount: number };
}

/** An `AWS::Events::EventBus` of the templates and its local name. */
export interface LocalEventBus {
  readonly regionKey: RegionKey;
  readonly stackName: string;
  readonly logicalId: string;
  readonly name: string;
}

export interface LocalTableSpec {
  readonly tableName: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
}

export interface Assembly {
  readonly dir: string;
  readonly stacks: readonly LocalStack[];
  readonly functions: readonly LocalFunction[];
  readonly routes: readonly LocalRoute[];
  readonly eventSourceMappings: readonly LocalEventSourceMapping[];
  readonly schedules: readonly LocalSchedule[];
  readonly eventBuses: readonly LocalEventBus[];
  readonly webSocketApis: readonly LocalWebSocketApi[];
  readonly httpApis: readonly LocalHttpApi[];
  readonly queues: readonly LocalQueue[];
  /** per region: logical id → local physical name, of every named resource kind we emulate */
  readonly resources: Record<RegionKey, Record<string, string>>;
  readonly account: string;
}

/** Key of a function in {@link Assembly.functions}: `<stackName>/<logicalId>`. */
export const functionKey = (stackName: string, logicalId: string): string => `${stackName}/${logicalId}`;

interface Manifest {
  readonly artifacts?: Record<
    string,
    { type: string; environment?: string; properties?: Record<string, unknown>; displayName?: string }
  >;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** cdk.json `app` and context (cdk.json, then cdk.context.json), the way the CDK CLI passes them. */
export function readCdkJson(repoRoot: string): { app: string; context: Record<string, unknown> } {
  const file = join(repoRoot, 'cdk.json');
  if (!existsSync(file)) throw new Error(`${file} not found: the CDK app is not in place yet`);
  const cdkJson = readJson(file) as { app?: string; context?: Record<string, unknown> };
  if (typeof cdkJson.app !== 'string') throw new Error(`${file}: "app" is missing`);
  const contextFile = join(repoRoot, 'cdk.context.json');
  const saved = existsSync(contextFile) ? (readJson(contextFile) as Record<string, unknown>) : {};
  return { app: cdkJson.app, context: { ...saved, ...cdkJson.context } };
}

/**
 * Synthesizes by running the app command itself with CDK_OUTDIR and CDK_CONTEXT_JSON, as the CLI
 * does. (The CLI is skipped: it adds ~2 s, and the installed aws-cdk CLI cannot read the assembly
 * schema that this aws-cdk-lib writes.) esbuild bundling runs for real.
 */
export async function synthesize(opts: {
  repoRoot: string;
  outDir: string;
  app?: string;
  force?: boolean;
  log?: (line: string) => void;
}): Promise<void> {
  const cdk = readCdkJsonOrEmpty(opts.repoRoot);
  const app = opts.app ?? cdk.app;
  if (!app) throw new Error(`no CDK app: ${join(opts.repoRoot, 'cdk.json')} is missing and no app command was given`);
  const fingerprintFile = join(opts.outDir, '.ucx-local-fingerprint');
  const fingerprint = inputsFingerprint(opts.repoRoot, app);
  if (!opts.force && existsSync(fingerprintFile) && readFileSync(fingerprintFile, 'utf8') === fingerprint) {
    opts.log?.(`assembly ${opts.outDir} is up to date (inputs unchanged; --synth forces a synth)`);
    return;
  }
  // Synthesize beside the target and swap it in, so a reader never sees half an assembly.
  const tmpDir = `${opts.outDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  const output: string[] = [];
  await new Promise<void>((done, fail) => {
    const child = spawn(app, {
      cwd: opts.repoRoot,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CDK_OUTDIR: tmpDir,
        CDK_CONTEXT_JSON: JSON.stringify(cdk.context),
        CDK_CLI_ASM_VERSION: '55.0.0',
      },
    });
    const collect = (chunk: Buffer) => output.push(chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (code === 0) return done();
      fail(
        new Error(`CDK synth (${app}) failed with ${signal ?? `exit code ${code}`}:\n${output.join('').slice(-4000)}`),
      );
    });
  });
  writeFileSync(join(tmpDir, '.ucx-local-fingerprint'), fingerprint);
  rmSync(opts.outDir, { recursive: true, force: true });
  renameSync(tmpDir, opts.outDir);
  opts.log?.(`synthesized ${app} into ${opts.outDir}`);
}

/** Everything a synth reads from the repository: the app, its config, handlers, dependencies. */
const synthInputs = [
  'bin',
  'lib',
  'lambdas',
  'cdk.json',
  'cdk.context.json',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

function inputsFingerprint(repoRoot: string, app: string): string {
  const hash = createHash('sha256').update(app);
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (entry !== 'node_modules') visit(join(path, entry));
    } else {
      hash.update(relative(repoRoot, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const input of synthInputs) visit(join(repoRoot, input));
  return hash.digest('hex');
}

function readCdkJsonOrEmpty(repoRoot: string): { app?: string; context: Record<string, unknown> } {
  try {
    return readCdkJson(repoRoot);
  } catch {
    return { context: {} };
  }
}

/** Region name → local region key, from cdk.json context `ucx.regions` (eu/us → region). */
function regionKeysByRegion(context: Record<string, unknown>): Map<string, RegionKey> {
  const byRegion = new Map<string, RegionKey>();
  const ucx = context['ucx'] as { regions?: unknown } | undefined;
  const regions = (context['ucx.regions'] ?? ucx?.regions) as Record<string, unknown> | undefined;
  for (const key of regionKeys) {
    const entry = regions?.[key];
    const region = typeof entry === 'string' ? entry : (entry as { region?: unknown } | undefined)?.region;
    if (typeof region === 'string') byRegion.set(region, key);
  }
  return byRegion;
}

type StackEntry = Omit<LocalStack, 'template'> & { readonly templateFile: string };

function collectStacks(dir: string, byRegion: Map<string, RegionKey>, into: StackEntry[]): void {
  const manifest = readJson(join(dir, 'manifest.json')) as Manifest;
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      collectStacks(join(dir, String(artifact.properties?.['directoryName'])), byRegion, into);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const stackName = String(artifact.properties?.['stackName'] ?? artifact.displayName ?? id);
    const [, account = '000000000000', region = 'unknown-region'] =
      /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
    const regionKey = byRegion.get(region) ?? regionKeys.find((k) => new RegExp(`(^|-)${k}(-|$)`).test(stackName));
    if (!regionKey) {
      throw new Error(
        `stack ${stackName} (${artifact.environment}): its region is in neither cdk.json context ucx.regions nor its name`,
      );
    }
    const assets = new Map<string, string>();
    const assetsFile = join(dir, `${id}.assets.json`);
    if (existsSync(assetsFile)) {
      const files = (readJson(assetsFile) as { files?: Record<string, { source: { path: string } }> }).files ?? {};
      for (const [hash, file] of Object.entries(files)) assets.set(hash, resolve(dir, file.source.path));
    }
    const templateFile = join(dir, String(artifact.properties?.['templateFile']));
    into.push({
      stackName,
      region,
      account: /^\d{12}$/.test(account) ? account : '000000000000',
      regionKey,
      dir,
      assets,
      templateFile,
    });
  }
}

/** Reads a synthesized assembly. `dataDir` locates the local key files that stand for KMS keys. */
export function readAssembly(dir: string, opts: { repoRoot: string; dataDir: string }): Assembly {
  const { context } = readCdkJsonOrEmpty(opts.repoRoot);
  const partial: StackEntry[] = [];
  collectStacks(dir, regionKeysByRegion(context), partial);
  const stacks: LocalStack[] = partial.map(({ templateFile, ...s }) => ({
    ...s,
    template: readJson(templateFile) as Template,
  }));

  const resourceOf = (stack: StackContext, logicalId: string) => stack.template.Resources?.[logicalId];
  const localStack = (stack: StackContext) => stack as LocalStack;
  const physicalName = (stack: StackContext, logicalId: string): string => {
    const resource = resourceOf(stack, logicalId);
    const props = resource?.Properties ?? {};
    switch (resource?.Type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        // An explicit TableName (the global table has one) is shared by both local regions.
        return props['TableName'] !== undefined
          ? resolveValue(props['TableName'], ctxFor(stack), `${stack.stackName}/${logicalId}/TableName`)
          : `${stack.stackName}-${logicalId}`;
      case 'AWS::KMS::Key':
      case 'AWS::SecretsManager::Secret':
        // The Presence keys and secrets are files of their own (local/stand-ins.ts); other keys
        // stand for the region's licence-signing key.
        return (
          standInRef(opts.dataDir, resource.Type, logicalId, localStack(stack).regionKey) ??
          (resource.Type === 'AWS::KMS::Key'
            ? keyRef(opts.dataDir, localStack(stack).regionKey)
            : `${stack.stackName}-${logicalId}`.toLowerCase())
        );
      case 'AWS::KMS::Alias':
        return resolveValue(props['AliasName'], ctxFor(stack), `${stack.stackName}/${logicalId}/AliasName`);
      default:
        return `${stack.stackName}-${logicalId}`.toLowerCase();
    }
  };
  const attribute = (stack: StackContext, logicalId: string, attr: string): string => {
    const resource = resourceOf(stack, logicalId)!;
    const name = physicalName(stack, logicalId);
    const arn = (service: string, rest: string) => `arn:aws:${service}:${stack.region}:${stack.account}:${rest}`;
    switch (`${resource.Type}.${attr}`) {
      case 'AWS::KMS::Key.Arn':
      case 'AWS::KMS::Key.KeyId':
        return name;
      case 'AWS::KMS::Alias.Arn': // an alias stands for its key locally
        return resolveValue(
          resource.Properties?.['TargetKeyId'],
          ctxFor(stack),
          `${stack.stackName}/${logicalId}/TargetKeyId`,
        );
      case 'AWS::DynamoDB::GlobalTable.Arn':
      case 'AWS::DynamoDB::Table.Arn':
        return arn('dynamodb', `table/${name}`);
      case 'AWS::DynamoDB::GlobalTable.StreamArn':
      case 'AWS::DynamoDB::Table.StreamArn':
        return arn('dynamodb', `table/${name}/stream/local`);
      case 'AWS::Kinesis::Stream.Arn':
        return arn('kinesis', `stream/${name}`);
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${name}`;
      case 'AWS::S3::Bucket.DomainName':
      case 'AWS::S3::Bucket.RegionalDomainName':
        return `${name}.s3.${stack.region}.amazonaws.com`;
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${name}`);
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', name);
      case 'AWS::SQS::Queue.QueueName':
        return name;
      case 'AWS::SQS::Queue.QueueUrl':
        return queueUrl(stack, name);
      case 'AWS::SNS::Topic.TopicArn':
        return arn('sns', name);
      case 'AWS::Events::EventBus.Arn':
        return arn('events', `event-bus/${name}`);
      case 'AWS::Events::EventBus.Name':
        return name;
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return `https://${name}.execute-api.${stack.region}.amazonaws.com`;
      default:
        throw new Error(
          `${stack.stackName}: no local value for Fn::GetAtt ${logicalId}.${attr} (${resource.Type}); add it in local/assembly.ts`,
        );
    }
  };
  // As in AWS: `Ref` of a queue is its URL (local/cloud.ts maps the AWS host to the SQS stand-in).
  const queueUrl = (stack: StackContext, name: string) =>
    `https://sqs.${stack.region}.amazonaws.com/${stack.account}/${name}`;
  const ref = (stack: StackContext, logicalId: string): string =>
    resourceOf(stack, logicalId)?.Type === 'AWS::SQS::Queue'
      ? queueUrl(stack, physicalName(stack, logicalId))
      : physicalName(stack, logicalId);
  const ctxFor = (stack: StackContext): ResolveContext => ({ stack, stacks, physicalName, attribute, ref });

  const functions: LocalFunction[] = [];
  const routes: LocalRoute[] = [];
  const resources: Record<RegionKey, Record<string, string>> = { eu: {}, us: {} };
  const named =
    /^AWS::(DynamoDB::(Global)?Table|Kinesis::Stream|S3::Bucket|KMS::Key|SecretsManager::Secret|Lambda::Function|SQS::Queue|SNS::Topic|Events::EventBus|Scheduler::Schedule|ApiGatewayV2::Api)$/;
  const protocolOf = (stack: StackContext, apiRef: unknown): string | undefined => {
    const id = (apiRef as { Ref?: unknown } | undefined)?.Ref;
    const api = typeof id === 'string' ? resourceOf(stack, id) : undefined;
    return api?.Type === 'AWS::ApiGatewayV2::Api' ? String(api.Properties?.['ProtocolType'] ?? 'HTTP') : undefined;
  };
  const webSocketRoutes: { stack: LocalStack; apiLogicalId: string; routeKey: string; functionKey: string }[] = [];
  for (const stack of stacks) {
    const ctx = ctxFor(stack);
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      const where = `${stack.stackName}/${logicalId}`;
      if (named.test(resource.Type)) resources[stack.regionKey][logicalId] = physicalName(stack, logicalId);
      // A global table lives in one stack but has a replica in every region it lists.
      if (resource.Type === 'AWS::DynamoDB::GlobalTable') {
        for (const replica of (props['Replicas'] as { Region?: unknown }[] | undefined) ?? []) {
          const replicaKey = stacks.find((s) => s.region === replica.Region)?.regionKey;
          if (replicaKey) resources[replicaKey][logicalId] = physicalName(stack, logicalId);
        }
      }
      if (resource.Type === 'AWS::Lambda::Function') {
        const code = props['Code'] as { S3Key?: unknown } | undefined;
        const s3Key = typeof code?.S3Key === 'string' ? code.S3Key : undefined;
        const assetDir = s3Key ? stack.assets.get(s3Key.replace(/\.zip$/, '')) : undefined;
        if (!assetDir) continue; // inline code or a CDK-provided custom resource handler: not ours
        const variables =
          (props['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
        const environment = Object.fromEntries(
          Object.entries(variables).map(([name, value]) => [
            name,
            resolveValue(value, ctx, `${where}/Environment/${name}`),
          ]),
        );
        functions.push({
          regionKey: stack.regionKey,
          stackName: stack.stackName,
          logicalId,
          name: physicalName(stack, logicalId),
          assetDir,
          handler: String(props['Handler'] ?? 'index.handler'),
          runtime: String(props['Runtime'] ?? 'nodejs'),
          timeoutSeconds: Number(props['Timeout'] ?? 3),
          memoryMb: Number(props['MemorySize'] ?? 128),
          environment,
        });
      }
      if (resource.Type === 'AWS::ApiGatewayV2::Route') {
        const target = resolveTargetIntegration(props['Target'], where);
        const integration = stack.template.Resources?.[target];
        if (integration?.Type !== 'AWS::ApiGatewayV2::Integration')
          throw new Error(`${where}: target ${target} is not an integration`);
        const fnId = lambdaOfIntegrationUri(integration.Properties?.['IntegrationUri'], `${stack.stackName}/${target}`);
        if (protocolOf(stack, props['ApiId']) === 'WEBSOCKET') {
          webSocketRoutes.push({
            stack,
            apiLogicalId: (props['ApiId'] as { Ref: string }).Ref,
            routeKey: String(props['RouteKey']),
            functionKey: functionKey(stack.stackName, fnId),
          });
          continue;
        }
        const payload = String(integration.Properties?.['PayloadFormatVersion'] ?? '2.0');
        if (payload !== '2.0')
          throw new Error(`${stack.stackName}/${target}: payload format ${payload}; the local router speaks 2.0 only`);
        routes.push({
          regionKey: stack.regionKey,
          logicalId,
          routeKey: String(props['RouteKey']),
          authorizationType: String(props['AuthorizationType'] ?? 'NONE'),
          functionKey: functionKey(stack.stackName, fnId),
          ...(props['AuthorizationType'] === 'CUSTOM' && {
            lambdaAuthorizer: lambdaAuthorizerOf(stack, props['AuthorizerId'], where),
          }),
        });
      }
    }
  }
  const eventSourceMappings: LocalEventSourceMapping[] = [];
  const schedules: LocalSchedule[] = [];
  const eventBuses: LocalEventBus[] = [];
  const webSocketApis: LocalWebSocketApi[] = [];
  const httpApis: LocalHttpApi[] = [];
  const queues: LocalQueue[] = [];
  for (const stack of stacks) {
    const ctx = ctxFor(stack);
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      const where = `${stack.stackName}/${logicalId}`;
      if (resource.Type === 'AWS::ApiGatewayV2::Api') {
        if (String(props['ProtocolType'] ?? 'HTTP') === 'WEBSOCKET') {
          const stages = Object.values(stack.template.Resources ?? {})
            .filter(
              (r) =>
                r.Type === 'AWS::ApiGatewayV2::Stage' &&
                (r.Properties?.['ApiId'] as { Ref?: string } | undefined)?.Ref === logicalId,
            )
            .map((r) => String(r.Properties?.['StageName']));
          webSocketApis.push({
            regionKey: stack.regionKey,
            stackName: stack.stackName,
            logicalId,
            apiId: physicalName(stack, logicalId),
            routeSelectionExpression: String(props['RouteSelectionExpression'] ?? '$request.body.action'),
            stages,
            routes: Object.fromEntries(
              webSocketRoutes
                .filter((r) => r.stack === stack && r.apiLogicalId === logicalId)
                .map((r) => [r.routeKey, r.functionKey]),
            ),
          });
        } else {
          httpApis.push({ regionKey: stack.regionKey, logicalId, apiId: physicalName(stack, logicalId) });
        }
      } else if (resource.Type === 'AWS::SQS::Queue') {
        const num = (name: string, fallback: number) =>
          props[name] === undefined ? fallback : Number(resolveValue(props[name], ctx, `${where}/${name}`));
        const redrive = props['RedrivePolicy'] as
          | { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown }
          | undefined;
        const name = physicalName(stack, logicalId);
        queues.push({
          regionKey: stack.regionKey,
          stackName: stack.stackName,
          logicalId,
          name,
          arn: attribute(stack, logicalId, 'Arn'),
          visibilityTimeoutSeconds: num('VisibilityTimeout', 30),
          messageRetentionSeconds: num('MessageRetentionPeriod', 345_600),
          delaySeconds: num('DelaySeconds', 0),
          ...(redrive?.deadLetterTargetArn !== undefined && {
            deadLetter: {
              arn: resolveValue(redrive.deadLetterTargetArn, ctx, `${where}/RedrivePolicy/deadLetterTargetArn`),
              maxReceiveCount: Number(resolveValue(redrive.maxReceiveCount ?? 10, ctx, `${where}/RedrivePolicy`)),
            },
          }),
        });
      }
      if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
        eventSourceMappings.push(
          readEventSourceMapping(stack, logicalId, resource.Properties ?? {}, ctxFor(stack), functions, physicalName),
        );
      } else if (resource.Type === 'AWS::Scheduler::Schedule') {
        const schedule = readSchedule(stack, logicalId, resource.Properties ?? {}, ctxFor(stack), functions);
        if (schedule) schedules.push(schedule);
      } else if (resource.Type === 'AWS::Events::EventBus') {
        eventBuses.push({
          regionKey: stack.regionKey,
          stackName: stack.stackName,
          logicalId,
          name: physicalName(stack, logicalId),
        });
      }
    }
  }
  const account = stacks[0]?.account ?? '000000000000';
  return {
    dir,
    stacks,
    functions,
    routes,
    eventSourceMappings,
    schedules,
    eventBuses,
    webSocketApis,
    httpApis,
    queues,
    resources,
    account,
  };
}

/**
 * A schedule whose `Target.Arn` is a function of the same stack (`Fn::GetAtt [fn, Arn]` or
 * `Ref`) or a resolvable Lambda ARN of a local function; other targets (universal targets, queues)
 * are not run locally (undefined).
 */
function readSchedule(
  stack: LocalStack,
  logicalId: string,
  props: Record<string, unknown>,
  ctx: ResolveContext,
  functions: readonly LocalFunction[],
): LocalSchedule | undefined {
  const where = `${stack.stackName}/${logicalId}`;
  const target = (props['Target'] ?? {}) as { Arn?: unknown; Input?: unknown; DeadLetterConfig?: { Arn?: unknown } };
  const getAtt = (target.Arn as { 'Fn::GetAtt'?: unknown })?.['Fn::GetAtt'];
  const ref = (target.Arn as { Ref?: unknown })?.Ref;
  const id =
    typeof ref === 'string' ? ref : Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
  let fn = id === undefined ? undefined : functions.find((f) => f.stackName === stack.stackName && f.logicalId === id);
  if (!fn && id === undefined && target.Arn !== undefined) {
    const name = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(
      resolveValue(target.Arn, ctx, `${where}/Target/Arn`),
    )?.[1];
    fn = name === undefined ? undefined : functions.find((f) => f.regionKey === stack.regionKey && f.name === name);
  }
  if (!fn) return undefined;
  const rawInput = target.Input === undefined ? undefined : resolveValue(target.Input, ctx, `${where}/Target/Input`);
  let input: unknown = {};
  if (rawInput !== undefined) {
    try {
      input = JSON.parse(rawInput);
    } catch {
      throw new Error(`${where}/Target/Input: not JSON: ${rawInput.slice(0, 200)}`);
    }
  }
  const state = props['State'] === undefined ? 'ENABLED' : resolveValue(props['State'], ctx, `${where}/State`);
  const deadLetter = target.DeadLetterConfig?.Arn;
  return {
    regionKey: stack.regionKey,
    stackName: stack.stackName,
    logicalId,
    functionKey: functionKey(fn.stackName, fn.logicalId),
    expression: resolveValue(props['ScheduleExpression'], ctx, `${where}/ScheduleExpression`),
    enabled: state !== 'DISABLED',
    input,
    ...(deadLetter !== undefined && {
      deadLetterArn: resolveValue(deadLetter, ctx, `${where}/Target/DeadLetterConfig/Arn`),
    }),
  };
}

function readEventSourceMapping(
  stack: LocalStack,
  logicalId: string,
  props: Record<string, unknown>,
  ctx: ResolveContext,
  functions: readonly LocalFunction[],
  physicalName: (stack: StackContext, logicalId: string) => string,
): LocalEventSourceMapping {
  const where = `${stack.stackName}/${logicalId}`;
  const resources = stack.template.Resources ?? {};
  // FunctionName is a Ref or Arn of a function (or of its alias or version), or a name or ARN.
  const targetOf = (value: unknown, depth = 0): string | undefined => {
    const ref = (value as { Ref?: unknown })?.Ref;
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })?.['Fn::GetAtt'];
    const id =
      typeof ref === 'string' ? ref : Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
    const target = id === undefined ? undefined : resources[id];
    if (id !== undefined && target?.Type === 'AWS::Lambda::Function') return id;
    if (
      id !== undefined &&
      depth < 3 &&
      (target?.Type === 'AWS::Lambda::Alias' || target?.Type === 'AWS::Lambda::Version')
    ) {
      return targetOf(target.Properties?.['FunctionName'], depth + 1);
    }
    return undefined;
  };
  const targetId = targetOf(props['FunctionName']);
  let fn =
    targetId === undefined
      ? undefined
      : functions.find((f) => f.stackName === stack.stackName && f.logicalId === targetId);
  if (!fn && targetId === undefined) {
    const name = resolveValue(props['FunctionName'], ctx, `${where}/FunctionName`)
      .replace(/^arn:aws:lambda:[^:]*:[^:]*:function:/, '')
      .split(':')[0];
    fn = functions.find((f) => f.regionKey === stack.regionKey && f.name === name);
  }
  if (!fn) throw new Error(`${where}: its function ${JSON.stringify(props['FunctionName'])} has no local bundle`);

  const role = (resources[fn.logicalId]?.Properties?.['Role'] as { 'Fn::GetAtt'?: unknown[] } | undefined)?.[
    'Fn::GetAtt'
  ]?.[0];
  const roleName = typeof role === 'string' && resources[role] ? physicalName(stack, role) : `${fn.name}-role`;
  const num = (name: string, fallback: number) =>
    props[name] === undefined ? fallback : Number(resolveValue(props[name], ctx, `${where}/${name}`));
  const flag = (name: string, fallback: boolean) =>
    props[name] === undefined ? fallback : resolveValue(props[name], ctx, `${where}/${name}`) === 'true';
  const onFailure = (props['DestinationConfig'] as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
    ?.Destination;
  const responseTypes = (props['FunctionResponseTypes'] as unknown[] | undefined) ?? [];
  const eventSourceArn = resolveValue(props['EventSourceArn'], ctx, `${where}/EventSourceArn`);
  return {
    regionKey: stack.regionKey,
    stackName: stack.stackName,
    logicalId,
    functionKey: functionKey(fn.stackName, fn.logicalId),
    eventSourceArn,
    enabled: flag('Enabled', true),
    startingPosition:
      props['StartingPosition'] === undefined
        ? 'LATEST'
        : resolveValue(props['StartingPosition'], ctx, `${where}/StartingPosition`),
    ...(props['StartingPositionTimestamp'] !== undefined && {
      startingPositionTimestamp: num('StartingPositionTimestamp', 0),
    }),
    // Lambda's default: 10 for an SQS queue, 100 for a stream.
    batchSize: num('BatchSize', /^arn:[^:]+:sqs:/.test(eventSourceArn) ? 10 : 100),
    maximumBatchingWindowSeconds: num('MaximumBatchingWindowInSeconds', 0),
    bisectBatchOnFunctionError: flag('BisectBatchOnFunctionError', false),
    maximumRetryAttempts: num('MaximumRetryAttempts', -1),
    maximumRecordAgeSeconds: num('MaximumRecordAgeInSeconds', -1),
    reportBatchItemFailures: responseTypes.some(
      (t) => resolveValue(t, ctx, `${where}/FunctionResponseTypes`) === 'ReportBatchItemFailures',
    ),
    ...(onFailure !== undefined && {
      onFailureDestinationArn: resolveValue(onFailure, ctx, `${where}/DestinationConfig/OnFailure/Destination`),
    }),
    invokeIdentityArn: `arn:aws:iam::${stack.account}:role/${roleName}`,
  };
}

/** `integrations/<Ref Integration>` → the integration's logical id. */
function resolveTargetIntegration(target: unknown, where: string): string {
  const parts = (target as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join']?.[1];
  const ref = parts?.map((p) => (p as { Ref?: string }).Ref).find((r) => typeof r === 'string');
  if (!ref) throw new Error(`${where}: cannot read route Target ${JSON.stringify(target)}`);
  return ref;
}

/** The logical id of the Lambda an AWS_PROXY integration invokes (GetAtt Arn, or an ARN join). */
/** A CUSTOM route's authorizer, as API Gateway reads it: the function, identity sources and cache. */
function lambdaAuthorizerOf(
  stack: {
    stackName: string;
    template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  },
  authorizerRef: unknown,
  where: string,
): LocalLambdaAuthorizer {
  const id = (authorizerRef as { Ref?: unknown } | undefined)?.Ref;
  const authorizer = typeof id === 'string' ? stack.template.Resources?.[id] : undefined;
  const props = authorizer?.Properties ?? {};
  if (authorizer?.Type !== 'AWS::ApiGatewayV2::Authorizer' || props['AuthorizerType'] !== 'REQUEST')
    throw new Error(`${where}: a CUSTOM route whose authorizer is not a REQUEST authorizer`);
  if (String(props['AuthorizerPayloadFormatVersion'] ?? '') !== '2.0')
    throw new Error(`${where}: the local router speaks authorizer payload 2.0 only`);
  return {
    functionKey: functionKey(
      stack.stackName,
      lambdaOfIntegrationUri(props['AuthorizerUri'], `${stack.stackName}/${id}`),
    ),
    identitySource: ((props['IdentitySource'] as unknown[] | undefined) ?? []).map(String),
    resultTtlSeconds: Number(props['AuthorizerResultTtlInSeconds'] ?? 300),
    simpleResponses: props['EnableSimpleResponses'] === true,
  };
}

function lambdaOfIntegrationUri(uri: unknown, where: string): string {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.push(getAtt[0]);
    else Object.values(record).forEach(walk);
  };
  walk(uri);
  if (found.length !== 1 || !found[0])
    throw new Error(`${where}: cannot find the Lambda of IntegrationUri ${JSON.stringify(uri)}`);
  return found[0];
}
