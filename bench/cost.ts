/**
 * `npm run cost -- --installations 10000,100000,1000000 [--region us-east-1|eu-central-1] [--results bench/results.json]`
 * Monthly AWS cost per component and per installation. Measured figures (handler CPU, batch and
 * record sizes, log bytes, rules state) come from bench/results.json when present; otherwise the
 * defaults below, which are the figures of the last bench run written into the README.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import type { ArchiveLifecycleConfig } from '../lib/config';
import { fmt, monthlyCost, type RegionPrices, type Workload } from './cost-model';
import { defaultPresenceWorkload, presenceMonthlyCost, presencePrices } from './presence-cost';
import { table } from './stats';

export const GOAL_PER_INSTALLATION = 0.017;

/** Lambda's cap on one invocation's event: it bounds how many stream records a consumer gets at once. */
const INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Defaults: DESIGN's cadence and the bench's figures; I/O waits are typical in-region latencies. */
export function defaultWorkload(): Workload {
  return {
    pollsPerHour: 4,
    batchesPerHour: 12,
    beatsPerBatch: 50,
    // one compressed record per agent batch (lambdas/core/telemetry/ingest-telemetry.ts)
    recordsPerBatch: 1,
    recordBytesPerBatch: 20_000,
    archiveBytesPerBeat: 400,
    installationItemBytes: 2500,
    pollReadsEventuallyConsistent: true,
    // the account item's termsRev and switch (poll-license.ts): small, eventually consistent
    accountTermsRru: 0.5,
    licensingReplicas: 2,
    // the poll stamps lastPollAt when it is an hour old: an UpdateItem on the installation item
    lastPoll: { stampsPerHour: 1, wruPerStamp: 3 },
    // Before the bench measures it: the state (~1.8 WRU) and a snapshot per beat type (processes
    // ~20 WRU, ~11 others ≥ 1 each), in one transaction (2×).
    rulesStore: { wruPerBatch: 2 * (1.8 + 20 + 11), rruPerBatch: 1, storedBytes: 30_000 },
    signsPerMonth: 2,
    lambda: {
      poll: { memoryMb: 256, cpuMs: 3.5, ioMs: 5 },
      ingest: { memoryMb: 512, cpuMs: 10, ioMs: 25 },
      // per invocation: batchesPerInvocation installations evaluated side by side
      rules: { memoryMb: 1024, cpuMs: 100, ioMs: 60 },
      // per invocation: decompress the records, write one gzip NDJSON object per hour
      archive: { memoryMb: 512, cpuMs: 1700, ioMs: 150 },
    },
    // JSON logs with the system level at WARN: no START/END/REPORT lines (lib/constructs/house-function.ts)
    logBytes: { poll: 225, ingest: 1100, rules: 600, archive: 300, platformPerInvocation: 0 },
    // lib/routes.ts metricsFlushSeconds: a record per status per container-minute
    metricsFlush: { seconds: 60, bytesPerFlush: 600, functions: ['poll', 'ingest'] },
    xraySampledShare: 0.05,
    // lib/routes.ts: getLicense and ingestTelemetry are 'pass-through'
    xrayTracesHotPaths: false,
    archive: {
      batchesPerInvocation: Math.floor(INVOCATION_PAYLOAD_BYTES / 20_000),
      objectsPerInvocation: 1.1,
      standardDays: 30,
      iaDays: 90,
      glacierIrDays: 730,
    },
    // lib/routes.ts: the rules consumer takes 100 records (installation batches); at ~30 records/s
    // per shard its 5 s window fills them at scale
    rules: { batchesPerInvocation: 100 },
    kinesis: { retentionHours: 48, consumers: 2, shardUtilisation: 0.7 },
    dynamoProvisionedUtilisation: 0.7,
    fixedMonthly: { customMetrics: 60, kmsKeys: 2 },
  };
}

/** The archive lifecycle the CDK app deploys (cdk.json `ucx.archive`), so the bill follows the config. */
export function archiveLifecycleFrom(
  cdkJson: { context?: { ucx?: { archive?: ArchiveLifecycleConfig } } } | undefined,
  w: Workload,
): Workload {
  const a = cdkJson?.context?.ucx?.archive;
  if (!a) return w;
  return {
    ...w,
    archive: { ...w.archive, standardDays: a.infrequentAccessDays, iaDays: a.glacierDays, glacierIrDays: a.expireDays },
  };
}

const measure = z.number().optional();
const rulesStoreMeasures = {
  writeUnitsPerBatch: measure,
  readUnitsPerBatch: measure,
  storedBytesPerInstallation: measure,
};
/** What the cost model reads of bench/results.json; a run may have measured only some parts. */
const benchResults = z
  .object({
    handlers: z
      .object({
        poll: z.object({ handlerCpuMs: z.number(), logBytes: z.number() }).optional(),
        ingest: z
          .object({
            handlerCpuMsPerBatch: z.number(),
            beatsPerBatch: z.number(),
            recordsPerBatch: measure,
            recordBytesPerBatch: measure,
            batchGzipBytes: z.number(),
            logBytes: z.number(),
          })
          .optional(),
      })
      .optional(),
    archive: z
      .object({
        bytesPerBeat: measure,
        cpuMsPerBatch: measure,
        recordsPerInvocation: measure,
        objectsPerInvocation: measure,
      })
      .optional(),
    rules: z
      .object({
        cpuMsPerBatch: z.number(),
        ...rulesStoreMeasures,
        steady: z.object(rulesStoreMeasures).optional(),
      })
      .optional(),
  })
  .optional();

/** The defaults with what bench/results.json measured. */
export function workloadFrom(
  benchResultsJson: unknown,
  base: Workload = defaultWorkload(),
): { workload: Workload; measured: string[] } {
  const results = benchResults.parse(benchResultsJson);
  const w = structuredClone(base);
  const measured: string[] = [];
  const h = results?.handlers;
  if (h?.poll) {
    w.lambda.poll.cpuMs = h.poll.handlerCpuMs;
    w.logBytes.poll = h.poll.logBytes;
    measured.push('poll CPU and log bytes');
  }
  if (h?.ingest) {
    w.lambda.ingest.cpuMs = h.ingest.handlerCpuMsPerBatch;
    w.beatsPerBatch = h.ingest.beatsPerBatch;
    if (h.ingest.recordBytesPerBatch) {
      w.recordsPerBatch = h.ingest.recordsPerBatch ?? 1;
      w.recordBytesPerBatch = h.ingest.recordBytesPerBatch;
    }
    w.archive.batchesPerInvocation = Math.max(1, Math.floor(INVOCATION_PAYLOAD_BYTES / w.recordBytesPerBatch));
    // Without a measured archive, about the batch's own gzip ratio.
    w.archiveBytesPerBeat = results?.archive?.bytesPerBeat ?? h.ingest.batchGzipBytes / h.ingest.beatsPerBatch;
    w.logBytes.ingest = h.ingest.logBytes;
    measured.push('ingest CPU, beats per batch, record and archive bytes, log bytes');
  }
  const a = results?.archive;
  if (a?.cpuMsPerBatch) {
    // The measured invocation (what a 6 MB event holds, base64 and event overhead included) wins
    // over the estimate from the record size.
    if (a.recordsPerInvocation) w.archive.batchesPerInvocation = a.recordsPerInvocation;
    if (a.objectsPerInvocation) w.archive.objectsPerInvocation = a.objectsPerInvocation;
    w.lambda.archive.cpuMs = a.cpuMsPerBatch * w.archive.batchesPerInvocation;
    measured.push('archiver CPU, records and objects per invocation');
  }
  if (results?.rules) {
    w.lambda.rules.cpuMs = results.rules.cpuMsPerBatch * w.rules.batchesPerInvocation;
    // A steady installation (findings change rarely) is what a fleet is made of; the bench's
    // flapping workload, where findings change every batch, is priced apart (see main).
    const r = results.rules.steady?.writeUnitsPerBatch !== undefined ? results.rules.steady : results.rules;
    if (typeof r.writeUnitsPerBatch === 'number') {
      w.rulesStore = {
        wruPerBatch: r.writeUnitsPerBatch,
        rruPerBatch: r.readUnitsPerBatch ?? 1,
        storedBytes: r.storedBytesPerInstallation ?? w.rulesStore.storedBytes,
      };
      measured.push(
        `rules CPU and write/read units per batch (${r === results.rules ? 'bench workload' : 'steady installation'})`,
      );
    } else {
      measured.push('rules CPU');
    }
  }
  return { workload: w, measured };
}

function main() {
  const { values } = parseArgs({
    options: {
      installations: { type: 'string', default: '10000,100000,1000000' },
      region: { type: 'string', default: 'us-east-1' },
      results: { type: 'string', default: 'bench/results.json' },
      prices: { type: 'string', default: 'bench/prices.json' },
    },
  });
  const prices = JSON.parse(readFileSync(values.prices!, 'utf8')) as {
    asOf: string;
    regions: Record<string, RegionPrices>;
  };
  const p = prices.regions[values.region!];
  if (!p) throw new Error(`no prices for ${values.region}`);
  const results = existsSync(values.results!) ? JSON.parse(readFileSync(values.results!, 'utf8')) : undefined;
  const fromResults = workloadFrom(results);
  const measured = fromResults.measured;
  const workload = archiveLifecycleFrom(JSON.parse(readFileSync('cdk.json', 'utf8')), fromResults.workload);
  const counts = values.installations!.split(',').map(Number);
  const runs = counts.map((n) => monthlyCost(n, workload, p));
  const header = [
    'component (USD/month)',
    ...counts.map((n) => `${n.toLocaleString('en-US')} inst.`),
    'driver (at the largest)',
  ];
  const rows = runs[0]!.components.map((c, i) => [
    c.component,
    ...runs.map((r) => fmt(r.components[i]!.usd)),
    runs[runs.length - 1]!.components[i]!.driver,
  ]);
  rows.push(['**total**', ...runs.map((r) => `**${fmt(r.total)}**`), '']);
  rows.push([
    'per installation-month',
    ...runs.map((r) => `$${r.perInstallation.toFixed(4)}`),
    `goal ≤ $${GOAL_PER_INSTALLATION} at 1M`,
  ]);
  rows.push([
    'per installation, first month',
    ...runs.map((r) => `$${(r.firstMonthTotal / r.installations).toFixed(4)}`),
    'archive not yet aged into IA/Glacier',
  ]);
  rows.push([
    'Kinesis on-demand instead',
    ...runs.map((r) => fmt(r.kinesisOnDemand)),
    'compare with Kinesis (provisioned)',
  ]);
  rows.push([
    'DynamoDB provisioned instead',
    ...runs.map((r) => fmt(r.dynamoProvisioned)),
    'compare with DynamoDB reads + writes (on-demand), capacity at 70 %',
  ]);
  const last = runs[runs.length - 1]!;
  // What the archive's retention does to the bill at the largest count (cdk.json ucx.archive.expireDays).
  const retention = [90, 395, workload.archive.glacierIrDays]
    .filter((d, i, all) => all.indexOf(d) === i && d >= workload.archive.iaDays)
    .map((days) => {
      const r = monthlyCost(
        last.installations,
        { ...workload, archive: { ...workload.archive, glacierIrDays: days } },
        p,
      );
      return [
        `${days} d`,
        fmt(r.components.find((c) => c.component.startsWith('S3 storage'))!.usd),
        `$${r.perInstallation.toFixed(4)}`,
      ];
    });
  const flapping = results?.rules?.writeUnitsPerBatch;
  const flappingRun =
    typeof flapping === 'number' && flapping !== workload.rulesStore.wruPerBatch
      ? monthlyCost(
          last.installations,
          { ...workload, rulesStore: { ...workload.rulesStore, wruPerBatch: flapping } },
          p,
        )
      : undefined;
  const requestFloor = last.components
    .filter((c) => c.component === 'API Gateway HTTP API' || c.component === 'Lambda requests')
    .reduce((a, c) => a + c.usd, 0);
  const presenceWorkload = defaultPresenceWorkload();
  const presence = presenceMonthlyCost(presenceWorkload, p, presencePrices[values.region!]!);
  const presenceTable = table(
    ['Presence component (USD per installation-month)', 'cost', 'driver'],
    [
      ...presence.components.map((c) => [c.component, `$${c.usd.toFixed(4)}`, c.driver]),
      ['**total**', `**$${presence.perInstallation.toFixed(4)}**`, ''],
    ],
  );
  process.stdout.write(
    `${values.region}, prices ${prices.asOf} (list), ${measured.length ? `measured: ${measured.join('; ')} (${values.results})` : 'defaults (no bench/results.json)'}\n\n` +
      `${table(header, rows)}\n\n` +
      `archive retention at ${last.installations.toLocaleString('en-US')} installations (cdk.json ucx.archive.expireDays = ${workload.archive.glacierIrDays}):\n\n` +
      `${table(['raw beats kept', 'S3 storage (USD/month)', 'per installation-month'], retention)}\n\n` +
      (flappingRun
        ? `if every installation's findings changed every batch (the bench's flapping workload, ${fmt(flapping)} WRU per batch): $${flappingRun.perInstallation.toFixed(4)} per installation-month\n`
        : '') +
      `API Gateway and Lambda requests alone, at the agent's cadence: $${(requestFloor / last.installations).toFixed(4)} per installation-month\n` +
      `at ${last.installations.toLocaleString('en-US')} installations: $${last.perInstallation.toFixed(4)} per installation-month, goal ≤ $${GOAL_PER_INSTALLATION}: ${last.perInstallation <= GOAL_PER_INSTALLATION ? 'holds' : 'missed'}\n\n` +
      `Presence Service, on top, per installation that uses it (${presenceWorkload.watchedUsers} watched users, ${presenceWorkload.changesPerUserHour} changes per user-hour, a session all month; Graph reads per change: ${presence.graphReadsPerChange}):\n\n` +
      `${presenceTable}\n`,
  );
}

if (process.argv[1] && /cost\.ts$/.test(process.argv[1])) main();
