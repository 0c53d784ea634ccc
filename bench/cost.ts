/**
 * `npm run cost [-- --installations 10000,100000,1000000] [--results bench/results.json] [--write-docs]`
 * The monthly AWS cost of the agent in this repository at its default cadence, per line, in
 * us-east-1 and eu-central-1, DynamoDB on-demand and provisioned side by side. Measured figures
 * come from bench/results.json; the rest are the defaults below, each marked "assumed".
 * `--write-docs` writes the tables into docs/performance-and-cost.md between its cost markers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { apiAccessLogFields } from '../lib/api-access-log';
import { defaultTargetUtilisationPercent, type ArchiveLifecycleConfig } from '../lib/config';
import { functionSpecs, type FunctionName, type FunctionSpec } from '../lib/routes';
import { provisionedTableIndexes } from '../lib/stacks/stateful-stack';
import {
  careCycleSeconds,
  contactStampSeconds,
  cycleOverrideSeconds,
  defaultCycleSeconds,
  minimumCycleSeconds,
} from '../lambdas/core/telemetry/cadence';
import {
  atCycle,
  fmt,
  DAYS_PER_MONTH,
  GOAL_PER_INSTALLATION,
  GOAL_REQUESTS_PER_INSTALLATION_MONTH,
  GROUP_BUDGET,
  groupTotals,
  monthlyCost,
  perInst,
  type CostResult,
  type DynamoMode,
  type Measurable,
  type RegionPrices,
  type Workload,
} from './cost-model';
import { defaultPresenceWorkload, presenceMonthlyCost, presencePrices } from './presence-cost';
import { table } from './stats';

export { GOAL_PER_INSTALLATION };

/** Lambda's cap on one invocation's event: it bounds how many stream records a consumer gets at once. */
const INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const REGIONS = ['us-east-1', 'eu-central-1'] as const;
export const MODES: readonly DynamoMode[] = ['on-demand', 'provisioned'];
export const costDocument = 'docs/performance-and-cost.md';
export const costMarkers = ['<!-- cost:start -->', '<!-- cost:end -->'] as const;

/** A function's memory as lib/routes.ts gives it (each of the three names its own). */
function memoryOf(name: FunctionName): number {
  const spec: FunctionSpec = functionSpecs[name];
  if (spec.memoryMb === undefined) throw new Error(`lib/routes.ts: ${name} names no memory`);
  return spec.memoryMb;
}

/** CloudWatch Logs bills an event's message and 26 bytes. */
const CLOUDWATCH_EVENT_BYTES = 26;
/** typical values of the access log's context variables on a telemetry post */
const TYPICAL_POST_CONTEXT: Record<string, string> = {
  '$context.requestId': 'JjSyjhJcoAMEVQw=',
  '$context.identity.sourceIp': '203.0.113.254',
  '$context.routeKey': 'POST /v1/installations/{id}/telemetry',
  '$context.status': '202',
  '$context.protocol': 'HTTP/1.1',
  '$context.responseLength': '187',
  '$context.responseLatency': '34',
  '$context.integrationErrorMessage': '-',
};

/** A telemetry post's access log line in the deployed format (lib/api-access-log.ts), in bytes. */
export function accessLogLineBytes(fields: Readonly<Record<string, string>> = apiAccessLogFields): number {
  const line = Object.fromEntries(
    Object.entries(fields).map(([key, variable]) => {
      const value = TYPICAL_POST_CONTEXT[variable];
      if (value === undefined) throw new Error(`no typical value for the access log's ${variable}`);
      return [key, value];
    }),
  );
  return Buffer.byteLength(JSON.stringify(line));
}

/** Defaults before the bench measures: the cadence from cadence.ts, the rest assumed as commented. */
export function defaultWorkload(): Workload {
  return {
    cycleSeconds: defaultCycleSeconds,
    // the 202 carries the licence's ETag, so a telemetry-on agent polls only when told to
    requestsPerCycle: 1,
    // a full licence fetch when the ETag moved: renewal at half its 30-day life, plus a change
    otherRequestsPerMonth: 2,
    // 15 collections of ~7 counter beats, inventory on change and daily (measured by the bench)
    beatsPerBatch: 105,
    recordsPerBatch: 1,
    recordBytesPerBatch: 12_000,
    // the 202's JSON, headers, TLS record overhead
    responseBytesPerRequest: 1000,
    // a telemetry post's line in the deployed format, and what CloudWatch Logs adds to an event
    accessLogBytesPerRequest: accessLogLineBytes() + CLOUDWATCH_EVENT_BYTES,
    logRetentionDays: 30,
    // with its account's terms (INST#/ACCT, ~100 B) and last poll: one query, under 4 KB
    installationItemBytes: 2600,
    // the account view: no second read for the account's terms
    accountTermsRru: 0,
    // a deposit or renewal and about one more change (a deactivation, an allocation) per account a month
    accountViewCopies: { changesPerMonth: 2, wruPerCopy: 1 },
    licensingReplicas: 2,
    // INST#/POLL, a small item: a telemetry request writes it at most once in contactStampSeconds,
    // each licence fetch (the other requests) once more
    lastSeen: { everySeconds: contactStampSeconds, wruPerStamp: 1 },
    // the target of issue 16: at most 1 WRU per installation per cycle in the steady state
    rulesStore: { wruPerBatch: 1, rruPerBatch: 1, storedBytes: 10_000 },
    // measured by test/integration/rules/history-write-units.test.ts (a steady simulated installation;
    // the previous request's end from the rules' state, no Query for it); the bench's stored row
    // replaces it with what DynamoDB Local counted of the HIST# items
    // dayClosure: what the bench's rules row counted more in the 6 hours of a run that crossed
    // midnight (2026-12-06, 24 posts of each installation): 2.0 WRU and 2.8 RRU; the row now counts
    // the same hours of the day in every run, none closing a day
    history: { wruPerBatch: 1.28, rruPerBatch: 0.3, storedBytes: 1_735_000, dayClosure: { wru: 2, rru: 2.8 } },
    // config-sources.ts KeptOverrides: the revision (1 RRU, consistent) and the advisory tables (0.5 RRU);
    // an account's settings are read once a container while the revision stands
    rulesConfigRruPerInvocation: 1.5,
    // lambdas/adapters/licence-facts.ts CachedLicenceFacts' default TTL; a miss reads the installation strongly
    licenceCache: { ttlSeconds: 300, rruPerMiss: 1 },
    // ingest puts the rules' licence facts in every stream record (stream-record.ts): the cache is the fallback
    licenceFactsInRecord: 1,
    signsPerMonth: 2,
    // memory as lib/routes.ts deploys it; CPU replaced by the bench's, the waits assumed
    lambda: {
      ingest: { memoryMb: memoryOf('ingestTelemetry'), cpuMs: 5, ioMs: 15 },
      rules: { memoryMb: memoryOf('evaluateRules'), cpuMs: 300, ioMs: 80 },
      archive: { memoryMb: memoryOf('archiveTelemetry'), cpuMs: 1700, ioMs: 150 },
    },
    logBytes: { ingest: 1100, rules: 600, archive: 300 },
    // lib/routes.ts metricsFlushSeconds: a record per status per container-minute
    metricsFlush: { seconds: 60, bytesPerFlush: 600, ingest: true },
    xraySampledShare: 0.05,
    archive: {
      batchesPerInvocation: Math.floor(INVOCATION_PAYLOAD_BYTES / 12_000),
      objectsPerInvocation: 1.1,
      rawBytesPerBeat: 300,
      // zstd columns sorted by type and installation: about a third of gzip NDJSON
      parquetBytesPerBeat: 100,
      rawDays: 7,
      standardDays: 30,
      glacierDays: 90,
      expireDays: 730,
      parquetObjectsPerHour: 20,
      athenaMinScanBytes: 10 * 1024 * 1024,
    },
    // lib/routes.ts: the rules consumer takes 100 records (installation posts); its 5 s window fills them at scale
    rules: { batchesPerInvocation: 100 },
    kinesis: { retentionHours: 48, consumers: 2, shardUtilisation: 0.7 },
    dynamoProvisionedUtilisation: 0.7,
    // EMF business metrics; HTTP API detailed metrics: ~60 routes × 6 metrics; KMS keys of a region's
    // stacks: signing, Presence tokens, archive, and a log key in each of stateful, stateless, operations
    fixedMonthly: { customMetrics: 60, routeMetrics: 360, kmsKeys: 6 },
    measured: [],
  };
}

/** The archive lifecycle and log retention the CDK app deploys (cdk.json), so the bill follows the config. */
export function archiveLifecycleFrom(
  cdkJson:
    | { context?: { ucx?: { archive?: ArchiveLifecycleConfig & { rawDays?: number }; logRetentionDays?: number } } }
    | undefined,
  w: Workload,
): Workload {
  const ucx = cdkJson?.context?.ucx;
  const a = ucx?.archive;
  return {
    ...w,
    logRetentionDays: ucx?.logRetentionDays ?? w.logRetentionDays,
    archive: a
      ? {
          ...w.archive,
          rawDays: a.rawDays ?? w.archive.rawDays,
          // no Standard-IA: Standard until Glacier IR
          standardDays: a.infrequentAccessDays ?? a.glacierDays,
          glacierDays: a.glacierDays,
          expireDays: a.expireDays,
        }
      : w.archive,
  };
}

/**
 * The DynamoDB capacity cdk.json deploys (`ucx.tableCapacity`): which column is the bill, and the
 * provisioned column held at autoscaling's target (the lowest of the provisioned tables').
 */
export function tableCapacityFrom(
  cdkJson: { context?: { ucx?: { tableCapacity?: Record<string, TableCapacityJson> } } } | undefined,
  w: Workload,
): Workload {
  const byTable = cdkJson?.context?.ucx?.tableCapacity ?? {};
  const tables = Object.values(byTable);
  const provisioned = tables.flatMap((t) =>
    t.mode === 'provisioned' ? [t.targetUtilisationPercent ?? defaultTargetUtilisationPercent] : [],
  );
  const mode = provisioned.length === 0 ? 'on-demand' : provisioned.length === tables.length ? 'provisioned' : 'mixed';
  return {
    ...w,
    deployedDynamoMode: mode,
    provisionedFloor: provisionedFloorOf(byTable),
    dynamoProvisionedUtilisation: provisioned.length ? Math.min(...provisioned) / 100 : w.dynamoProvisionedUtilisation,
  };
}

type TableCapacityJson = {
  mode: string;
  targetUtilisationPercent?: number;
  read?: { min: number };
  write?: { min: number };
};

/** Each provisioned table and its indexes at their minimum; the global licensing table's writes are replicated units. */
function provisionedFloorOf(byTable: Record<string, TableCapacityJson>): Workload['provisionedFloor'] {
  const floor = { rcu: 0, wcu: 0, rwcu: 0, tablesAndIndexes: 0 };
  for (const [name, t] of Object.entries(byTable)) {
    if (t.mode !== 'provisioned') continue;
    const indexes = provisionedTableIndexes[name as keyof typeof provisionedTableIndexes];
    if (!indexes) throw new Error(`cdk.json ucx.tableCapacity.${name}: no such table in the stateful stack`);
    const n = 1 + indexes.length;
    floor.tablesAndIndexes += n;
    floor.rcu += n * (t.read?.min ?? 0);
    if (name === 'licensing') floor.rwcu += n * (t.write?.min ?? 0);
    else floor.wcu += n * (t.write?.min ?? 0);
  }
  return floor.tablesAndIndexes ? floor : undefined;
}

const measure = z.number().optional();
const rulesStoreMeasures = {
  writeUnitsPerBatch: measure,
  readUnitsPerBatch: measure,
  storedBytesPerInstallation: measure,
};
/** What the cost model reads of bench/results.json; a run may have measured only some parts. */
export const benchResultsSchema = z
  .object({
    agent: z.object({ beatsPerCycle: z.number(), cycleSeconds: z.number() }).optional(),
    handlers: z
      .object({
        ingest: z
          .object({
            handlerCpuMsPerBatch: z.number(),
            beatsPerBatch: z.number(),
            recordsPerBatch: measure,
            recordBytesPerBatch: measure,
            logBytes: z.number(),
          })
          .optional(),
      })
      .optional(),
    archive: z
      .object({
        bytesPerBeat: measure,
        parquetBytesPerBeat: measure,
        cpuMsPerBatch: measure,
        recordsPerInvocation: measure,
        objectsPerInvocation: measure,
      })
      .optional(),
    rules: z
      .object({ cpuMsPerBatch: z.number(), ...rulesStoreMeasures, steady: z.object(rulesStoreMeasures).optional() })
      .optional(),
    rulesStored: z
      .object({
        cpuMsPerPost: z.number(),
        failures: z.number().optional(),
        writeUnitsByKind: z.record(z.string(), z.number()).nullable().optional(),
        historyReadUnitsPerPost: z.number().nullable().optional(),
        stateReadUnitsPerPost: z.number().nullable().optional(),
      })
      .optional(),
  })
  .optional();

/** The defaults with what bench/results.json measured. */
export function workloadFrom(benchResultsJson: unknown, base: Workload = defaultWorkload()): Workload {
  const results = benchResultsSchema.parse(benchResultsJson);
  const w = structuredClone(base);
  const measured = new Set<Measurable>(base.measured);
  // The cycle's beats as the simulated agent produces them (results.agent), at this cycle.
  if (results?.agent && results.agent.cycleSeconds === w.cycleSeconds) {
    w.beatsPerBatch = results.agent.beatsPerCycle;
    measured.add('beats per batch');
  }
  const ingest = results?.handlers?.ingest;
  if (ingest) {
    // the bench posts the cycle's batch (results.agent), so its CPU is the mean post's
    w.lambda.ingest.cpuMs = ingest.handlerCpuMsPerBatch;
    measured.add('ingest CPU');
    if (ingest.recordBytesPerBatch) {
      w.recordsPerBatch = ingest.recordsPerBatch ?? 1;
      w.recordBytesPerBatch = (ingest.recordBytesPerBatch / ingest.beatsPerBatch) * w.beatsPerBatch;
      measured.add('record bytes');
    }
    w.archive.batchesPerInvocation = Math.max(1, Math.floor(INVOCATION_PAYLOAD_BYTES / w.recordBytesPerBatch));
    w.logBytes.ingest = ingest.logBytes;
    measured.add('ingest log bytes');
  }
  const a = results?.archive;
  if (a?.bytesPerBeat) {
    w.archive.rawBytesPerBeat = a.bytesPerBeat;
    measured.add('raw bytes per beat');
  }
  if (a?.parquetBytesPerBeat) {
    w.archive.parquetBytesPerBeat = a.parquetBytesPerBeat;
    measured.add('parquet bytes per beat');
  }
  if (a?.cpuMsPerBatch) {
    // The measured invocation (what a 6 MB event holds) wins over the estimate from the record size.
    if (a.recordsPerInvocation) w.archive.batchesPerInvocation = a.recordsPerInvocation;
    if (a.objectsPerInvocation) w.archive.objectsPerInvocation = a.objectsPerInvocation;
    w.lambda.archive.cpuMs = a.cpuMsPerBatch * w.archive.batchesPerInvocation;
    measured.add('archive CPU');
  }
  if (results?.rules) {
    w.lambda.rules.cpuMs = results.rules.cpuMsPerBatch * w.rules.batchesPerInvocation;
    w.rulesCpuFrom = 'engine and state codec in process, without the SDK clients';
    measured.add('rules CPU');
    // A steady installation (findings change rarely) is what a fleet is made of.
    const r = results.rules.steady?.writeUnitsPerBatch !== undefined ? results.rules.steady : results.rules;
    if (typeof r.writeUnitsPerBatch === 'number') {
      w.rulesStore = {
        wruPerBatch: r.writeUnitsPerBatch,
        rruPerBatch: r.readUnitsPerBatch ?? 1,
        storedBytes: r.storedBytesPerInstallation ?? w.rulesStore.storedBytes,
      };
      measured.add('rules store units');
    }
  }
  // The handler's whole stored path (SDK clients included) wins over the in-process codec and
  // engine, unless records failed (their CPU is not a post's).
  if (results?.rulesStored && !results.rulesStored.failures) {
    w.lambda.rules.cpuMs = results.rulesStored.cpuMsPerPost * w.rules.batchesPerInvocation;
    w.rulesCpuFrom = 'the handler on DynamoDB Local, SDK clients included';
    measured.add('rules CPU');
  }
  // The state's reads as the handler made them: none while its sandbox keeps what it wrote.
  const stateReads = results?.rulesStored?.stateReadUnitsPerPost;
  if (typeof stateReads === 'number') {
    w.rulesStore = { ...w.rulesStore, rruPerBatch: stateReads };
    measured.add('rules store units');
  }
  // The history's blocks as DynamoDB Local counted them under the same handler (steady installations).
  const historyWrites = results?.rulesStored?.writeUnitsByKind?.['HIST'];
  const historyReads = results?.rulesStored?.historyReadUnitsPerPost;
  if (typeof historyWrites === 'number' && typeof historyReads === 'number') {
    w.history = { ...w.history, wruPerBatch: historyWrites, rruPerBatch: historyReads };
    measured.add('history store units');
  }
  w.measured = [...measured];
  return w;
}

export interface CostReport {
  workload: Workload;
  counts: number[];
  /** region → mode → one result per installation count */
  runs: Record<string, Record<DynamoMode, CostResult[]>>;
  /** the largest fleet with every installation at one cycle: the default, each Care level's, support's shortest */
  byCycle: { cycleSeconds: number; who: string; results: Record<string, Record<DynamoMode, CostResult>> }[];
}

/** The cycles an installation can be told (cadence.ts), each with who is told it. */
export function cyclesOfCare(): { cycleSeconds: number; who: string }[] {
  const levels = new Map<number, string[]>([[defaultCycleSeconds, ['no Care']]]);
  for (const [level, seconds] of Object.entries(careCycleSeconds))
    levels.set(seconds, [...(levels.get(seconds) ?? []), `${level[0]!.toUpperCase()}${level.slice(1)}`]);
  const cycles = [...levels].map(([cycleSeconds, who]) => ({ cycleSeconds, who: who.join(', ') }));
  return [
    ...cycles.sort((a, b) => b.cycleSeconds - a.cycleSeconds),
    {
      cycleSeconds: minimumCycleSeconds,
      who: `support's shortest (${cycleOverrideSeconds / 3600} h at a time), per day`,
    },
  ];
}

export function costReport(
  workload: Workload,
  prices: Record<string, RegionPrices>,
  counts: readonly number[],
): CostReport {
  const runs: CostReport['runs'] = {};
  for (const region of REGIONS) {
    const p = prices[region];
    if (!p) throw new Error(`bench/prices.json has no prices for ${region}`);
    runs[region] = {
      'on-demand': counts.map((n) => monthlyCost(n, workload, p, 'on-demand')),
      provisioned: counts.map((n) => monthlyCost(n, workload, p, 'provisioned')),
    };
  }
  const largest = Math.max(...counts);
  const byCycle = cyclesOfCare().map(({ cycleSeconds, who }) => {
    const w = atCycle(workload, cycleSeconds);
    const results = Object.fromEntries(
      REGIONS.map((region) => [
        region,
        {
          'on-demand': monthlyCost(largest, w, prices[region]!, 'on-demand'),
          provisioned: monthlyCost(largest, w, prices[region]!, 'provisioned'),
        },
      ]),
    );
    return { cycleSeconds, who, results };
  });
  return { workload, counts: [...counts], runs, byCycle };
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

/** The markdown the terminal shows and the docs hold. */
export function costTables(report: CostReport, meta: { prices: string; results: string }): string {
  const { counts, runs, workload } = report;
  const largest = counts.length - 1;
  const at = (region: string, mode: DynamoMode) => runs[region]![mode][largest]!;
  const base = at('eu-central-1', 'on-demand');
  const n = base.installations;
  const lineRows = base.lines.map((line, i) => [
    line.component,
    line.basis,
    ...REGIONS.flatMap((region) => MODES.map((mode) => perInst(at(region, mode).lines[i]!.usd / n))),
    line.driver,
  ]);
  const totalRow = (label: string, pick: (r: CostResult) => string) => [
    label,
    '',
    ...REGIONS.flatMap((region) => MODES.map((mode) => pick(at(region, mode)))),
    '',
  ];
  lineRows.push(
    totalRow('**total per installation-month**', (r) => `**${perInst(r.perInstallation)}**`),
    totalRow(`goal ≤ $${GOAL_PER_INSTALLATION.toFixed(3)}`, (r) =>
      r.perInstallation <= GOAL_PER_INSTALLATION ? 'holds' : 'missed',
    ),
    totalRow('Kinesis on-demand instead (not in total)', (r) => perInst(r.kinesisOnDemand / n)),
  );
  const lineTable = table(
    [
      `line (USD per installation-month at ${n.toLocaleString('en-US')})`,
      'basis',
      ...REGIONS.flatMap((region) => MODES.map((mode) => `${region} ${mode}`)),
      'driver',
    ],
    lineRows,
  );
  const scaleTable = table(
    ['installations', ...REGIONS.flatMap((region) => MODES.map((mode) => `${region} ${mode}`))],
    counts.map((c, i) => [
      c.toLocaleString('en-US'),
      ...REGIONS.flatMap((region) => MODES.map((mode) => perInst(runs[region]![mode][i]!.perInstallation))),
    ]),
  );
  // Every installation at one cycle; support's shortest is priced as the day it lasts, on top.
  const atDefault = report.byCycle.find((c) => c.cycleSeconds === workload.cycleSeconds);
  const cycleTable = table(
    [
      'cycle',
      'who is told it',
      'requests per installation-month',
      ...REGIONS.flatMap((region) => MODES.map((mode) => `${region} ${mode}`)),
    ],
    report.byCycle.map(({ cycleSeconds, who, results }) => {
      const override = cycleSeconds === minimumCycleSeconds && atDefault;
      const cost = (region: string, mode: DynamoMode) => {
        const r = results[region]![mode];
        if (!override) return perInst(r.perInstallation);
        const day = (r.perInstallation - atDefault.results[region]![mode].perInstallation) / DAYS_PER_MONTH;
        return `+${perInst(day)} a day`;
      };
      return [
        `${cycleSeconds / 60} min`,
        who,
        override
          ? `${fmt(results['eu-central-1']!['on-demand'].requestsPerInstallation / DAYS_PER_MONTH)} a day`
          : fmt(results['eu-central-1']!['on-demand'].requestsPerInstallation),
        ...REGIONS.flatMap((region) => MODES.map((mode) => cost(region, mode))),
      ];
    }),
  );
  // the primary region's bill as deployed (on demand when either table is)
  const deployed: DynamoMode = workload.deployedDynamoMode === 'provisioned' ? 'provisioned' : 'on-demand';
  const groups = groupTotals(at('eu-central-1', deployed));
  const groupTable = table(
    [`line group (eu-central-1, ${deployed})`, 'per installation-month', 'share of the goal', 'budget', 'verdict'],
    groups.map((g) => [
      g.group,
      perInst(g.perInstallation),
      pct(g.perInstallation / GOAL_PER_INSTALLATION),
      perInst(g.budget),
      g.perInstallation <= g.budget ? 'within' : 'over',
    ]),
  );
  const requests = base.requestsPerInstallation;
  const measured = workload.measured.length ? workload.measured.join(', ') : 'nothing (no bench/results.json)';
  return [
    `Prices: ${meta.prices}. Measured (${meta.results}): ${measured}.`,
    '',
    `Cadence (lambdas/core/telemetry/cadence.ts): one request per ${workload.cycleSeconds / 60}-minute cycle carrying ${fmt(workload.beatsPerBatch)} beats on average → **${fmt(requests)} requests per installation-month** (goal ≤ ${GOAL_REQUESTS_PER_INSTALLATION_MONTH.toLocaleString('en-US')}: ${requests <= GOAL_REQUESTS_PER_INSTALLATION_MONTH ? 'holds' : 'missed'}).`,
    '',
    deployedLine(workload),
    '',
    lineTable,
    '',
    'Per installation-month by fleet size (fixed costs spread thinner, API Gateway cheaper above 300 M requests):',
    '',
    scaleTable,
    '',
    `By the cycle the licence tells (every installation at it, ${n.toLocaleString('en-US')} installations; an upper bound away from the default: a post's CPU and write units measured at ${workload.cycleSeconds / 60} minutes are kept per post, though a shorter cycle's post carries fewer beats):`,
    '',
    cycleTable,
    '',
    `The goal shared out by line group (budgets in bench/cost-model.ts GROUP_BUDGET, sum $${Object.values(GROUP_BUDGET)
      .reduce((s, b) => s + b, 0)
      .toFixed(3)}):`,
    '',
    groupTable,
  ].join('\n');
}

/** Which DynamoDB column is the bill of what cdk.json deploys. */
function deployedLine(w: Workload): string {
  const at = `autoscaled to ${Math.round(w.dynamoProvisionedUtilisation * 100)} % of the provisioned units`;
  switch (w.deployedDynamoMode) {
    case 'provisioned':
      return `DynamoDB as cdk.json deploys it (\`ucx.tableCapacity\`): both tables provisioned, ${at}. The provisioned columns are the bill; the on-demand ones are what the same load would cost billed per request.`;
    case 'mixed':
      return `DynamoDB as cdk.json deploys it (\`ucx.tableCapacity\`): one table provisioned, one on demand; the bill lies between the columns.`;
    default:
      return 'DynamoDB as cdk.json deploys it (`ucx.tableCapacity`): both tables on demand. The on-demand columns are the bill.';
  }
}

/** Replaces the text between the cost markers of the performance document. */
export function withCostTables(doc: string, body: string): string {
  const [start, end] = costMarkers;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${costDocument} needs the markers ${start} and ${end}`);
  return `${doc.slice(0, from + start.length)}\n${body}\n${doc.slice(to)}`;
}

function main() {
  const { values } = parseArgs({
    options: {
      installations: { type: 'string', default: '10000,100000,1000000' },
      results: { type: 'string', default: 'bench/results.json' },
      prices: { type: 'string', default: 'bench/prices.json' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const prices = JSON.parse(readFileSync(values.prices!, 'utf8')) as {
    asOf: string;
    readOn?: string;
    regions: Record<string, RegionPrices>;
  };
  const results = existsSync(values.results!) ? JSON.parse(readFileSync(values.results!, 'utf8')) : undefined;
  const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8'));
  const workload = tableCapacityFrom(cdkJson, archiveLifecycleFrom(cdkJson, workloadFrom(results)));
  const counts = values.installations!.split(',').map(Number);
  const report = costReport(workload, prices.regions, counts);
  const body = costTables(report, {
    prices: `list prices as of ${prices.asOf}${prices.readOn ? `, entered ${prices.readOn} without network access (re-check before quoting)` : ''}`,
    results: values.results!,
  });
  const presenceWorkload = defaultPresenceWorkload();
  const presence = presenceMonthlyCost(
    presenceWorkload,
    prices.regions['eu-central-1']!,
    presencePrices['eu-central-1']!,
  );
  const presenceTable = table(
    ['Presence component, eu-central-1 (USD per installation-month)', 'cost', 'driver'],
    [
      ...presence.components.map((c) => [c.component, `$${c.usd.toFixed(4)}`, c.driver]),
      ['**total**', `**$${presence.perInstallation.toFixed(4)}**`, ''],
    ],
  );
  process.stdout.write(
    `${body}\n\nPresence Service, on top, per installation that uses it (${presenceWorkload.watchedUsers} watched users, ${presenceWorkload.changesPerUserHour} changes per user-hour):\n\n${presenceTable}\n`,
  );
  if (values['write-docs']) {
    writeFileSync(costDocument, withCostTables(readFileSync(costDocument, 'utf8'), body));
    process.stderr.write(`written to ${costDocument}\n`);
  }
}

if (process.argv[1] && /cost\.ts$/.test(process.argv[1])) main();
