/**
 * startLocalCloud: the whole system on one machine. Emulators on loopback, the cloud assembly
 * synthesized and read, one router per local region running the templates' routes and functions,
 * tables created, stream consumers and schedules running, events kept, a demo seeded through the
 * API, everything written to `<dataDir>/cloud.json`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readAssembly, regionKeys, synthesize, functionKey, type LocalFunction, type RegionKey } from './assembly';
import { issueLocalToken, localAudience, localIssuer, localJwtVerifier } from './auth';
import { jwksPath, machineClientsFile, machineTokenRoutes, tokenPath } from './machine-tokens';
import { clockRoutes, openLocalClock, type LocalClock } from './clock';
import { startDynamoDbLocal, startKinesalite, startS3rver, type Emulator } from './emulators';
import { lockDataDir } from './data-dir-lock';
import { apiGatewayError, type HttpResponse } from './http-event';
import {
  describeSigningKeys,
  ensureSigningKeys,
  keyFile,
  RotationError,
  rotateSigningKeys,
  rotationSteps,
  signingKeyRefs,
  verifyKeyRefs,
  type RotationStep,
} from './keys';
import { LambdaSandbox, lambdaWorkerFile } from './lambda-runtime';
import { dashboardData, dashboardHtml } from './dashboard';
import { localApiNamespace, MetricStore } from './metrics';
import { startEventSources, type EventSources } from './event-sources';
import { readEvents, startLocalEventBridge } from './eventbridge';
import { startSchedules, type Schedules } from './schedules';
import { createResources, type Endpoints } from './resources';
import { authFlowRoutes, type DemoStaffUser, seedDemoStaff } from './auth-flows';
import { startRegionRouter, type LocalHandler, type RegionRoute, type RegionRouter } from './router';
import { findRepoRoot } from './repo-root';
import { startGraphStandin } from './graph/standin';
import { demoResellerId, licensingTableOf, seedDemo, SeedError, type SeedResult, writeApprovedReseller } from './seed';
import { localDynamoDb, localS3 } from './clients';
import { startLocalAthena } from './athena';
import { executeApiOrigin, localizeUrls, sqsOrigin, type LocalOrigin } from './aws-urls';
import { startLocalSqs, type LocalSqs } from './sqs';
import { ensureStandIns, environmentOverrides, type MicrosoftStandIn } from './stand-ins';
import { startWebSocketApi, type LocalWebSocketApi } from './websocket';

export interface LocalCloudOptions {
  /** where data, keys, the assembly and cloud.json live. @default `<repoRoot>/.local` */
  readonly dataDir?: string;
  /** wipe the data dir's data first. @default false */
  readonly fresh?: boolean;
  /** 0 picks a free port. @default 4100 */
  readonly euPort?: number;
  /** @default 4200 */
  readonly usPort?: number;
  /** @default 4110 */
  readonly dynamodbPort?: number;
  /** @default 4120 */
  readonly kinesisPort?: number;
  /** @default 4130 */
  readonly s3Port?: number;
  /** the EventBridge stand-in; only the functions need it (through cloud.json's endpoints). @default 0, a free port */
  readonly eventBridgePort?: number;
  /** the Microsoft Graph stand-in (http); its identity platform takes another free port. @default 0, a free port */
  readonly graphPort?: number;
  /** users in the stand-in's tenant (user1…userN): the benchmark's 10,000. @default 50 */
  readonly graphDirectorySize?: number;
  /** the SQS stand-in; only the functions need it (through AWS_ENDPOINT_URL_SQS and queue URLs). @default 0, a free port */
  readonly sqsPort?: number;
  /**
   * each region's (first) WebSocket API, e.g. the Presence sessions; others take free ports.
   * @default the region's API port + 1 (4101), or a free port when that one is 0
   */
  readonly euWebSocketPort?: number;
  /** @default the region's API port + 1 (4201), or a free port when that one is 0 */
  readonly usWebSocketPort?: number;
  /** how long a failed SQS message stays invisible locally, at most (the queue's VisibilityTimeout otherwise). @default 1000 */
  readonly sqsRetryDelayMs?: number;
  /** false: schedules run only through `POST /local/schedules/<id>/run`, never on their timers. @default true */
  readonly scheduleTimers?: boolean;
  /** use this synthesized assembly as it is, no synth */
  readonly assemblyDir?: string;
  /** where to synthesize (kept between starts, re-synthesized when the inputs change). @default `<dataDir>/cdk.out` */
  readonly cdkOutDir?: string;
  /** app command instead of cdk.json's `app` */
  readonly app?: string;
  /** 'auto' skips the synth when the app's inputs are unchanged since the last one. @default 'auto' */
  readonly synth?: 'auto' | 'always';
  /** seed the demo on a fresh data dir; 'report' records a failure in cloud.json instead of throwing. @default 'strict' */
  readonly seed?: 'strict' | 'report' | 'skip';
  /** @default the directory holding this project's package.json, found from the working directory */
  readonly repoRoot?: string;
  /** Kinesis event source mappings (local/event-sources.ts). */
  readonly eventSources?: {
    /** per shard, when idle. @default 250 */
    readonly pollIntervalMs?: number;
    /** first retry delay of a failed batch, doubled per retry up to 25×. @default 200 */
    readonly retryBaseDelayMs?: number;
    /** caps the templates' MaximumBatchingWindowInSeconds (tests, impatient developers). @default no cap */
    readonly maxBatchingWindowSeconds?: number;
  };
  readonly log?: (line: string) => void;
}

export interface LocalRegionInfo {
  readonly api: string;
  /** the Presence sessions' WebSocket URL (stage v1), `ws://127.0.0.1:<port>/v1`; absent without a WebSocket API */
  readonly presence?: string;
  readonly region: string;
  readonly endpoints: Endpoints;
  /** logical id → local physical name */
  readonly resources: Record<string, string>;
  /** the Glue database of the telemetry archive (its `beats` views), for Athena queries; absent without one */
  readonly telemetryDatabase?: string;
}

export interface CloudInfo {
  readonly dataDir: string;
  readonly assemblyDir: string;
  readonly regions: Record<RegionKey, LocalRegionInfo>;
  readonly issuer: { readonly iss: string; readonly aud: string; readonly keyFile: string };
  readonly tokens: { readonly ops: string; readonly support: string };
  /** the movable clock's route on the EU API (either region's answers: they share one clock) */
  readonly clock: string;
  /** machine clients' token endpoint (client credentials), the local `/oauth2/token`; either region's answers */
  readonly tokenUrl: string;
  /** the Microsoft Graph stand-in's base URL (`<graph>/v1.0/...`, control routes `<graph>/local/...`) */
  readonly graph: string;
  /** its identity platform: the OAuth authority, the TLS certificate to trust, the seeded tenant and app */
  readonly identity: {
    readonly authority: string;
    readonly ca: string;
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
  };
  readonly demo: {
    readonly accounts: readonly {
      accountId: string;
      region: RegionKey;
      token: string;
      activationKey: string;
      activationKeyExpiresAt?: string;
      resellerId?: string;
    }[];
    readonly resellers: readonly { resellerId: string; token: string }[];
    /** back office and support with a password and a TOTP key, as the staff policy requires (local only) */
    readonly staff?: readonly DemoStaffUser[];
    /** set when the seed failed and `seed: 'report'` was asked */
    readonly seedError?: string;
  };
}

export { findRepoRoot };

export interface LocalCloud {
  readonly info: CloudInfo;
  /** path of the cloud.json written at start */
  readonly cloudJson: string;
  /** the clock every function, schedule and stream consumer of this cloud reads */
  readonly clock: LocalClock;
  /** the routes' and functions' metrics (the local dashboards'): the bench reads its own overhead from them */
  readonly metrics: MetricStore;
  stop(): Promise<void>;
}

/** What a fresh start removes; the data dir may hold other things (it is the developer's). */
const dataEntries = [
  'dynamodb',
  'kinesis',
  's3',
  'keys',
  'checkpoints',
  'queues',
  'events',
  'seed.json',
  'cloud.json',
  'clock.json',
];

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
  const repoRoot = options.repoRoot ?? findRepoRoot();
  const dataDir = resolve(repoRoot, options.dataDir ?? '.local');
  mkdirSync(dataDir, { recursive: true });
  // Before the wipe and DynamoDB Local's reaping, which would take a running cloud's data away.
  const unlock = lockDataDir(dataDir);
  // Run in reverse: the data dir is let go of last.
  const stops: (() => Promise<void>)[] = [async () => unlock()];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((error: Error) => log(`stop: ${error.message}`));
  };
  try {
    if (options.fresh) for (const entry of dataEntries) rmSync(join(dataDir, entry), { recursive: true, force: true });
    // A moved clock stays moved across restarts; --fresh (clock.json removed above) is real time.
    const clock = openLocalClock(dataDir);
    if (clock.offsetSeconds > 0)
      log(`clock: ${(clock.offsetSeconds / 86_400).toFixed(2)} days ahead of real time (${clock.now().toISOString()})`);
    const assemblyDir = resolve(repoRoot, options.assemblyDir ?? options.cdkOutDir ?? join(dataDir, 'cdk.out'));
    // The JVM start and the synth (esbuild bundling) overlap.
    const [dynamodb, kinesis, s3] = await Promise.all([
      startDynamoDbLocal({ repoRoot, dataDir, port: options.dynamodbPort ?? 4110, log }).then(stopping),
      startKinesalite({ dataDir, port: options.kinesisPort ?? 4120, log }).then(stopping),
      startS3rver({ dataDir, port: options.s3Port ?? 4130, log }).then(stopping),
      options.assemblyDir
        ? Promise.resolve()
        : synthesize({ repoRoot, outDir: assemblyDir, app: options.app, force: options.synth === 'always', log }),
      ensureSigningKeys(dataDir),
    ]);
    const assembly = readAssembly(assemblyDir, { repoRoot, dataDir });
    const eventBridge = await startLocalEventBridge({
      port: options.eventBridgePort ?? 0,
      dataDir,
      account: assembly.account,
      knownBuses: new Set(assembly.eventBuses.map((b) => b.name)),
      now: () => clock.now(),
      log,
    });
    stops.push(() => eventBridge.stop());
    const graph = await startGraphStandin({
      port: options.graphPort ?? 0,
      now: () => clock.now(),
      log,
      ...(options.graphDirectorySize !== undefined && { directorySize: options.graphDirectorySize }),
    });
    stops.push(() => graph.stop());
    const microsoft: MicrosoftStandIn = { identity: graph.identity, graph: graph.graph, ca: graph.ca, app: graph.app };
    ensureStandIns(dataDir, regionKeys, microsoft);
    const metrics = new MetricStore();
    const sqs: LocalSqs = await startLocalSqs({
      port: options.sqsPort ?? 0,
      account: assembly.account,
      queues: assembly.queues,
      now: () => clock.now(),
      metrics,
      ...(options.sqsRetryDelayMs !== undefined && { retryDelayMs: options.sqsRetryDelayMs }),
      log,
    });
    stops.push(() => sqs.stop());
    // Athena on DuckDB over s3rver: each region's telemetry database is the archive bucket its compaction names.
    const athena = await startLocalAthena({
      port: 0,
      s3: localS3(s3.endpoint),
      catalog: assembly.functions
        .filter((fn) => fn.environment.TELEMETRY_DATABASE && fn.environment.ARCHIVE_BUCKET)
        .map((fn) => ({
          region: assembly.stacks.find((s) => s.regionKey === fn.regionKey)?.region ?? fn.regionKey,
          database: fn.environment.TELEMETRY_DATABASE!,
          bucket: fn.environment.ARCHIVE_BUCKET!,
        })),
      now: () => clock.now(),
      log,
    });
    stops.push(() => athena.stop());
    const endpoints: Endpoints = {
      dynamodb: dynamodb.endpoint,
      kinesis: kinesis.endpoint,
      s3: s3.endpoint,
      eventbridge: eventBridge.endpoint,
      sqs: sqs.endpoint,
      athena: athena.endpoint,
    };
    const telemetryDatabase = (key: RegionKey) =>
      assembly.functions.find((fn) => fn.regionKey === key && fn.environment.TELEMETRY_DATABASE)?.environment
        .TELEMETRY_DATABASE;
    const regionOf = (key: RegionKey) => assembly.stacks.find((s) => s.regionKey === key)?.region ?? key;

    // Tokens expire by the local clock: a test that moves it sees them end as they would in the cloud.
    const verifyJwt = await localJwtVerifier(dataDir, () => clock.now());
    const info: {
      current?: CloudInfo;
      eventSources?: EventSources;
      schedules?: Schedules;
      webSockets?: LocalWebSocketApi[];
      /** the region's open WebSocket sessions */
      openSessions?: (regionKey: RegionKey) => number;
      /** restarts the functions that read signing keys; their names */
      restartKeyReaders?: () => Promise<string[]>;
    } = {};
    let rotating: Promise<unknown> = Promise.resolve();
    const dashboardFor = (regionKey: RegionKey) =>
      dashboardData(regionKey, {
        store: metrics,
        functionLogicalIds: assembly.functions.filter((f) => f.regionKey === regionKey).map((f) => f.logicalId),
        queues: () => mergedQueues(info.eventSources?.queues(regionKey) ?? {}, sqs.waiting(regionKey)),
        openSessions: () => info.openSessions?.(regionKey) ?? 0,
      });
    const localRoutes = (regionKey: RegionKey) =>
      new Map<string, LocalHandler>([
        ['GET /local/health', async () => json(200, { status: 'ok', region: regionKey })],
        // One clock for both regions; a move waits for the schedules that came due.
        ...clockRoutes(clock, async () => ({
          // Sessions past API Gateway's limits close first (their $disconnect runs), then the schedules.
          sessionsClosed: (await Promise.all((info.webSockets ?? []).map((ws) => ws.enforceLimits()))).flat(),
          schedulesRun: (await info.schedules?.clockAdvanced()) ?? [],
        })),
        ...authFlowRoutes(dataDir, { now: () => clock.now() }),
        ...machineTokenRoutes(dataDir, () => clock.now()),
        [
          'GET /local/cloud.json',
          async () => (info.current ? json(200, info.current) : apiGatewayError(503, 'Service Unavailable')),
        ],
        [
          'GET /local/queues',
          async () =>
            json(200, {
              region: regionKey,
              queues: mergedQueues(info.eventSources?.queues(regionKey) ?? {}, sqs.waiting(regionKey)),
              sqs: sqs.status(regionKey),
            }),
        ],
        [
          'GET /local/event-sources',
          async () => json(200, { region: regionKey, eventSources: info.eventSources?.status(regionKey) ?? [] }),
        ],
        [
          'GET /local/events',
          async (request) => {
            const query = new URL(request.url ?? '/', 'http://local').searchParams;
            const buses = assembly.eventBuses.filter((b) => b.regionKey === regionKey).map((b) => b.name);
            const detailType = query.get('detailType') ?? undefined;
            return json(200, {
              region: regionKey,
              buses,
              events: readEvents(dataDir, buses, {
                region: regionOf(regionKey),
                ...(detailType !== undefined && { detailType }),
              }),
            });
          },
        ],
        ['GET /local/dashboard.json', async () => json(200, dashboardFor(regionKey))],
        [
          'GET /local/dashboard',
          async () => ({
            statusCode: 200,
            headers: { 'content-type': 'text/html; charset=utf-8' },
            body: Buffer.from(dashboardHtml(dashboardFor(regionKey))),
          }),
        ],
        [
          'GET /local/schedules',
          async () => json(200, { region: regionKey, schedules: info.schedules?.status(regionKey) ?? [] }),
        ],
        [
          // Body: optional `{ "input": … }` in place of the schedule's Input (e.g. the compaction's `{ "hours": […] }`).
          'POST /local/schedules/{id}/run',
          async (_request, body, params) => {
            let input: unknown;
            try {
              input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as { input?: unknown }).input : undefined;
            } catch {
              return json(400, { message: 'the body is not JSON' });
            }
            const run = info.schedules?.run(regionKey, params['id'] ?? '', input);
            if (!run)
              return json(404, {
                message: `no schedule ${params['id']} in ${regionKey} (a schedule's or its function's logical id, or the function's local name)`,
              });
            return json(200, { region: regionKey, ...(await run) });
          },
        ],
        ['GET /local/signing-keys', async () => json(200, { keys: await describeSigningKeys(dataDir) })],
        [
          // One rotation step for both regions (one data dir), then a cold start of every function
          // that reads keys, as a deployment would do. Body: optional `{ "step": "introduce" | … }`.
          'POST /local/signing-keys/rotate',
          async (_request, body) => {
            let step: RotationStep | undefined;
            try {
              step = body.length > 0 ? (JSON.parse(body.toString('utf8')) as { step?: RotationStep }).step : undefined;
            } catch {
              return json(400, { message: 'the body is not JSON' });
            }
            if (step !== undefined && !rotationSteps.includes(step))
              return json(400, { message: `step: one of ${rotationSteps.join(', ')}` });
            const done = rotating.then(async () => {
              const rotation = await rotateSigningKeys(dataDir, { ...(step && { step }), now: clock.now() });
              return { ...rotation, restarted: (await info.restartKeyReaders?.()) ?? [] };
            });
            rotating = done.catch(() => undefined);
            try {
              return json(200, await done);
            } catch (error) {
              if (error instanceof RotationError) return json(409, { message: error.message });
              throw error;
            }
          },
        ],
      ]);
    const ports: Record<RegionKey, number> = { eu: options.euPort ?? 4100, us: options.usPort ?? 4200 };
    const routers = {} as Record<RegionKey, RegionRouter>;
    // Filled as each router binds its port; read per request, so each region's config names both.
    const portals: Partial<Record<RegionKey, string>> = {};
    for (const key of regionKeys) {
      const router = await startRegionRouter({
        regionKey: key,
        port: ports[key],
        accountId: assembly.account,
        verifyJwt,
        localRoutes: localRoutes(key),
        portalConfig: () => ({ region: regionOf(key), regionKey: key, portals }),
        now: () => clock.now(),
        log,
        // The local equivalent of API Gateway's per-route Count, 4xx, 5xx and Latency.
        onRouteRequest: ({ routeKey, statusCode, latencyMs }) => {
          const series = (name: string) => ({
            region: key,
            namespace: localApiNamespace,
            name,
            dimensions: { route: routeKey },
          });
          metrics.record(series('Count'), 1);
          metrics.record(series('4xx'), statusCode >= 400 && statusCode < 500 ? 1 : 0);
          metrics.record(series('5xx'), statusCode >= 500 ? 1 : 0);
          metrics.record(series('Latency'), latencyMs);
        },
      });
      stops.push(() => router.close());
      routers[key] = router;
      portals[key] = router.url;
    }
    const apis = { eu: routers.eu.url, us: routers.us.url };

    // Each WebSocket API on a port of its own; a region's first takes the region's WebSocket port.
    const webSocketPorts: Record<RegionKey, number> = {
      eu: options.euWebSocketPort ?? (ports.eu === 0 ? 0 : ports.eu + 1),
      us: options.usWebSocketPort ?? (ports.us === 0 ? 0 : ports.us + 1),
    };
    const webSockets = new Map<string, LocalWebSocketApi>();
    const wsKey = (api: { stackName: string; logicalId: string }) => functionKey(api.stackName, api.logicalId);
    for (const api of assembly.webSocketApis) {
      const first = !assembly.webSocketApis.some((a) => a.regionKey === api.regionKey && webSockets.has(wsKey(a)));
      const ws = await startWebSocketApi({
        regionKey: api.regionKey,
        region: regionOf(api.regionKey),
        apiId: api.apiId,
        stage: api.stages[0] ?? '$default',
        routeSelectionExpression: api.routeSelectionExpression,
        port: first ? webSocketPorts[api.regionKey] : 0,
        now: () => clock.now(),
        log,
      });
      stops.push(() => ws.close());
      webSockets.set(wsKey(api), ws);
    }
    info.webSockets = [...webSockets.values()];
    info.openSessions = (regionKey) =>
      assembly.webSocketApis
        .filter((a) => a.regionKey === regionKey)
        .reduce((n, a) => n + (webSockets.get(wsKey(a))?.connections().length ?? 0), 0);
    // The AWS URLs the templates build, and the local servers standing for them.
    const origins: LocalOrigin[] = [
      ...assembly.httpApis.map((api) => ({
        aws: executeApiOrigin(api.apiId, regionOf(api.regionKey)),
        local: routers[api.regionKey].url,
      })),
      ...assembly.webSocketApis.map((api) => ({
        aws: executeApiOrigin(api.apiId, regionOf(api.regionKey)),
        local: webSockets.get(wsKey(api))!.origin,
      })),
      ...regionKeys.map((key) => ({ aws: sqsOrigin(regionOf(key)), local: sqs.endpoint })),
    ];
    const presenceUrl = (key: RegionKey) => {
      const api = assembly.webSocketApis.find((a) => a.regionKey === key);
      return api && webSockets.get(wsKey(api))?.url;
    };

    await createResources(assembly, endpoints, log);

    const sandboxes = new Map<string, LambdaSandbox>();
    stops.push(async () => void (await Promise.all([...sandboxes.values()].map((s) => s.terminate()))));
    const workerFile = lambdaWorkerFile(repoRoot);
    for (const fn of assembly.functions) {
      const region = regionOf(fn.regionKey);
      const env = lambdaEnvironment(fn, { region, dataDir, endpoints, apis, origins, microsoft });
      sandboxes.set(
        functionKey(fn.stackName, fn.logicalId),
        new LambdaSandbox(
          fn,
          env,
          workerFile,
          `arn:aws:lambda:${region}:${assembly.account}:function:${fn.name}`,
          metrics,
          clock.buffer,
        ),
      );
    }
    info.restartKeyReaders = async () => {
      const readers = assembly.functions.filter((fn) => keyVariables.some((name) => name in fn.environment));
      await Promise.all(
        readers.map((fn) =>
          sandboxes
            .get(functionKey(fn.stackName, fn.logicalId))
            ?.reconfigure(
              lambdaEnvironment(fn, { region: regionOf(fn.regionKey), dataDir, endpoints, apis, origins, microsoft }),
            ),
        ),
      );
      return readers.map((fn) => fn.name);
    };
    for (const key of regionKeys) {
      const routes = new Map<string, RegionRoute>();
      for (const route of assembly.routes.filter((r) => r.regionKey === key)) {
        const sandbox = sandboxes.get(route.functionKey);
        if (!sandbox)
          throw new Error(
            `route ${route.routeKey} (${route.logicalId}) targets ${route.functionKey}, which has no local bundle`,
          );
        const custom = route.lambdaAuthorizer;
        const authorizerSandbox = custom && sandboxes.get(custom.functionKey);
        if (custom && !authorizerSandbox)
          throw new Error(`route ${route.routeKey}'s authorizer ${custom.functionKey} has no local bundle`);
        routes.set(route.routeKey, {
          sandbox,
          authorizationType: route.authorizationType,
          ...(custom && authorizerSandbox && { lambdaAuthorizer: { ...custom, sandbox: authorizerSandbox } }),
        });
      }
      await routers[key].setRoutes(routes);
    }
    for (const api of assembly.webSocketApis) {
      const targets = new Map(
        Object.entries(api.routes).map(([routeKey, fnKey]) => {
          const sandbox = sandboxes.get(fnKey);
          if (!sandbox)
            throw new Error(
              `WebSocket route ${routeKey} of ${api.logicalId} targets ${fnKey}, which has no local bundle`,
            );
          return [routeKey, sandbox] as const;
        }),
      );
      webSockets.get(wsKey(api))!.setRoutes(targets);
    }
    sqs.consume(
      assembly.eventSourceMappings.flatMap((mapping) => {
        const sandbox = sandboxes.get(mapping.functionKey);
        return sandbox && /^arn:[^:]+:sqs:/.test(mapping.eventSourceArn) ? [{ mapping, target: sandbox }] : [];
      }),
    );

    // Stopped before the sandboxes (stops run in reverse): no invocation starts on a dead worker.
    const eventSourceSettings = {
      ...readLocalSettings(dataDir).eventSources,
      ...definedOnly(options.eventSources ?? {}),
    };
    const eventSources = startEventSources({
      assembly,
      sandboxes,
      kinesisEndpoint: endpoints.kinesis,
      dataDir,
      ...eventSourceSettings,
      clockOffsetMs: () => clock.offsetMs(),
      log,
    });
    stops.push(() => eventSources.stop());
    info.eventSources = eventSources;
    const schedules = startSchedules({
      schedules: assembly.schedules,
      sandboxes,
      timers: options.scheduleTimers ?? true,
      now: () => clock.now().getTime(),
      log,
    });
    stops.push(async () => schedules.stop());
    info.schedules = schedules;

    const tokens = {
      ops: await issueLocalToken(dataDir, { sub: 'local-ops', groups: ['backoffice'] }),
      support: await issueLocalToken(dataDir, { sub: 'local-support', groups: ['support'] }),
    };
    const seedFile = join(dataDir, 'seed.json');
    let seed: SeedResult = { accounts: [], resellers: [] };
    let seedError: string | undefined;
    if (existsSync(seedFile)) {
      seed = JSON.parse(readFileSync(seedFile, 'utf8')) as SeedResult;
    } else if ((options.seed ?? 'strict') !== 'skip') {
      try {
        // The seed's orders name the demo reseller: it is approved first.
        const licensingTable = licensingTableOf(assembly.resources.eu);
        if (licensingTable)
          await writeApprovedReseller(localDynamoDb(dynamodb.endpoint), licensingTable, demoResellerId);
        seed = await seedDemo(apis, tokens.ops);
        writeFileSync(seedFile, `${JSON.stringify(seed, null, 2)}\n`);
      } catch (error) {
        if (options.seed !== 'report' || !(error instanceof SeedError)) throw error;
        seedError = error.message;
        log(`SEED FAILED: ${error.message}`);
      }
    }

    const current: CloudInfo = {
      dataDir,
      assemblyDir,
      regions: Object.fromEntries(
        regionKeys.map((key) => [
          key,
          {
            api: apis[key],
            ...(presenceUrl(key) && { presence: presenceUrl(key) }),
            region: regionOf(key),
            endpoints,
            resources: assembly.resources[key],
            ...(telemetryDatabase(key) && { telemetryDatabase: telemetryDatabase(key) }),
          },
        ]),
      ) as Record<RegionKey, LocalRegionInfo>,
      issuer: { iss: 'ucx-cloud-local', aud: 'ucx-portal', keyFile: keyFile(dataDir, 'issuer') },
      tokens,
      clock: `${apis.eu}/local/clock`,
      // The machine clients' token endpoint (client credentials; docs/back-office.md), as Cognito's /oauth2/token.
      tokenUrl: `${apis.eu}${tokenPath}`,
      graph: graph.graph,
      identity: {
        authority: graph.authority,
        ca: graph.ca,
        tenantId: graph.tenantId,
        clientId: graph.app.clientId,
        clientSecret: graph.app.clientSecret,
      },
      demo: {
        accounts: await Promise.all(
          seed.accounts.map(async (a) => ({
            ...a,
            token: await issueLocalToken(dataDir, {
              sub: `demo-customer-${a.region}`,
              groups: ['customer'],
              accountId: a.accountId,
            }),
          })),
        ),
        resellers: await Promise.all(
          seed.resellers.map(async (r) => ({
            ...r,
            token: await issueLocalToken(dataDir, {
              sub: `demo-${r.resellerId}`,
              groups: ['reseller'],
              resellerId: r.resellerId,
            }),
          })),
        ),
        staff: seedDemoStaff(dataDir),
        ...(seedError !== undefined && { seedError }),
      },
    };
    info.current = current;
    const cloudJson = join(dataDir, 'cloud.json');
    writeFileSync(cloudJson, `${JSON.stringify(current, null, 2)}\n`);
    return { info: current, cloudJson, clock, metrics, stop };
  } catch (error) {
    await stop();
    throw error;
  }

  function stopping(emulator: Emulator): Emulator {
    stops.push(() => emulator.stop());
    return emulator;
  }
}

/**
 * `<dataDir>/settings.json`, optional and kept by `--fresh`: local-only tuning that options and
 * flags override, e.g. `{ "eventSources": { "maxBatchingWindowSeconds": 1, "retryBaseDelayMs": 10 } }`
 * (a test's own cloud uses it: jest keeps a test's process.env from the processes it spawns).
 */
export interface LocalSettings {
  readonly eventSources?: NonNullable<LocalCloudOptions['eventSources']>;
}

export function readLocalSettings(dataDir: string): LocalSettings {
  const file = join(dataDir, 'settings.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalSettings;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

const definedOnly = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The variables that name signing keys: whoever has one reads keys at cold start. */
const keyVariables = ['SIGNING_KEY_REF', 'SIGNING_KEY_REFS', 'VERIFY_KEY_REFS'];

const json = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});

/**
 * A function's environment in its local sandbox: the template's variables (intrinsics resolved
 * against local names), the variables the Lambda runtime itself sets, then the local overrides.
 * Nothing is inherited from the developer's shell (no AWS_PROFILE, no POWERTOOLS_DEV).
 * See local/README.md, "Environment of a local function".
 */
export function lambdaEnvironment(
  fn: LocalFunction,
  local: {
    region: string;
    dataDir: string;
    endpoints: Endpoints;
    apis: Record<RegionKey, string>;
    /** AWS origins (an API's execute-api host, SQS) and the local servers standing for them */
    origins?: readonly LocalOrigin[];
    /** the Microsoft identity platform and Graph stand-in (local/stand-ins.ts) */
    microsoft?: MicrosoftStandIn;
  },
): Record<string, string> {
  const fromTemplate = Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [name, localizeUrls(value, local.origins ?? [])]),
  );
  const ifInTemplate = (name: string, value: string) => (name in fromTemplate ? { [name]: value } : {});
  const microsoft = local.microsoft;
  return {
    ...fromTemplate,
    // What the Lambda runtime sets.
    AWS_REGION: local.region,
    AWS_DEFAULT_REGION: local.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    LAMBDA_TASK_ROOT: fn.assetDir,
    _HANDLER: fn.handler,
    // Dummy credentials, and no shared config or instance metadata lookups from the laptop.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SESSION_TOKEN: 'local',
    AWS_CONFIG_FILE: join(local.dataDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(local.dataDir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // The emulators instead of AWS.
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoints.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: local.endpoints.kinesis,
    AWS_ENDPOINT_URL_S3: local.endpoints.s3,
    AWS_ENDPOINT_URL_EVENTBRIDGE: local.endpoints.eventbridge,
    ...(local.endpoints.sqs && { AWS_ENDPOINT_URL_SQS: local.endpoints.sqs }),
    ...(local.endpoints.athena && { AWS_ENDPOINT_URL_ATHENA: local.endpoints.athena }),
    // Laptop-only values of variables the template sets (only when it sets them, so a missing
    // grant fails locally as it would in the cloud).
    ...ifInTemplate('REGION_ENDPOINTS', JSON.stringify(local.apis)),
    // The local key set (local/keys.ts), read at each cold start: a rotation restarts these functions.
    ...ifInTemplate('SIGNING_KEY_REF', signingKeyRefs(local.dataDir, fn.regionKey).current),
    ...ifInTemplate('SIGNING_KEY_REFS', JSON.stringify(signingKeyRefs(local.dataDir, fn.regionKey).others)),
    ...ifInTemplate('VERIFY_KEY_REFS', JSON.stringify(verifyKeyRefs(local.dataDir))),
    // Every count written with its request, so the local dashboard moves as you click.
    ...ifInTemplate('METRICS_FLUSH_SECONDS', '0'),
    // The account users live in the local auth store (local/auth-flows.ts), not in a user pool.
    ...ifInTemplate('USER_DIRECTORY', `local:${join(local.dataDir, 'auth', 'users.json')}`),
    // Machine clients in the local token endpoint's file; the authorizer trusts the local issuer.
    ...ifInTemplate('MACHINE_CLIENTS', `local:${machineClientsFile(local.dataDir)}`),
    ...ifInTemplate('TOKEN_URL', `${local.apis[fn.regionKey]}${tokenPath}`),
    ...ifInTemplate('TOKEN_ISSUER', localIssuer),
    ...ifInTemplate('TOKEN_JWKS_URL', `${local.apis[fn.regionKey]}${jwksPath}`),
    ...ifInTemplate('PORTAL_CLIENT_ID', localAudience),
    // Mail goes to the local outbox (GET /local/outbox), not SES.
    ...ifInTemplate('MAILER', `local:${join(local.dataDir, 'auth', 'outbox.jsonl')}`),
    // Microsoft's side is the Graph stand-in (local/stand-ins.ts, environmentOverrides).
    ...(microsoft &&
      Object.fromEntries(
        environmentOverrides
          .filter((o) => o.when in fromTemplate)
          .map((o) => [o.variable, o.value(microsoft, local.dataDir)]),
      )),
  };
}

/**
 * A stream consumer's on-failure queue is also a queue of the SQS stand-in (the template's
 * AWS::SQS::Queue): what each holds is listed together, never one list hiding the other.
 */
function mergedQueues(...sources: Record<string, readonly unknown[]>[]): Record<string, unknown[]> {
  const merged: Record<string, unknown[]> = {};
  for (const source of sources)
    for (const [name, items] of Object.entries(source)) merged[name] = [...(merged[name] ?? []), ...items];
  return merged;
}
