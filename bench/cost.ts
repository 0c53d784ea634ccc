/**
 * `npm run cost -- --installations 10000,100000,1000000 [--region us-east-1|eu-central-1] [--results bench/results.json]`
 * Monthly AWS cost per component and per installation. Measured figures (handler CPU, batch and
 * record sizes, log bytes, rules state) come from bench/results.json when present; otherwise the
 * defaults below, which are the figures of the last bench run written into the README.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fmt, monthlyCost, type RegionPrices, type Workload } from './cost-model';
import { table } from './stats';


export const GOAL_PER_INSTALLATION = 0.017;

/** Defaults: DESIGN's cadence and the bench's figures; I/O waits are typical in-region latencies. */
export function defaultWorkload(): Workload {
  return {
    pollsPerHour: 4,
    batchesPerHour: 12,
    beatsPerBatch: 50,
    recordBytesPerBeat: 2800,
    archiveBytesPerBeat: 400,
    installationItemBytes: 2500,
    ruleStateBytes: 12_000,
    signsPerMonth: 2,
    lambda: {
      poll: { memoryMb: 256, cpuMs: 3.5, ioMs: 5 },
      ingest: { memoryMb: 512, cpuMs: 10, ioMs: 25 },
      rules: { memoryMb: 1024, cpuMs: 25, ioMs: 60 },
      archive: { memoryMb: 256, cpuMs: 60, ioMs: 150 },
    },
    logBytes: { poll: 225, ingest: 1100, rules: 600, archive: 300, platformPerInvocation: 330 },
    xraySampledShare: 0.05,
    archive: { beatsPerInvocation: 1000, objectsPerInvocation: 8, standardDays: 30, iaDays: 90, glacierIrDays: 730 },
    rulesBatchesPerInstallationBatch: 1,
    kinesis: { retentionHours: 48, consumers: 2, shardUtilisation: 0.7 },
    fixedMonthly: { customMetrics: 60, kmsKeys: 2 },
  };
}

/** The defaults with what bench/results.json measured. */
export function workloadFrom(results: any, base: Workload = defaultWorkload()): { workload: Workload; measured: string[] } {
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
    w.recordBytesPerBeat = h.ingest.recordBytesPerBeat || w.recordBytesPerBeat;
    // The archive gzips NDJSON of the same rows: about the batch's own gzip ratio.
    w.archiveBytesPerBeat = h.ingest.batchGzipBytes / h.ingest.beatsPerBatch;
    w.logBytes.ingest = h.ingest.logBytes;
    measured.push('ingest CPU, beats per batch, record and archive bytes, log bytes');
  }
  if (results?.rules) {
    // A rules invocation holds ~10 installations' batches (500 records).
    w.lambda.rules.cpuMs = results.rules.cpuMsPerBatch * (500 / w.beatsPerBatch);
    w.ruleStateBytes = results.rules.stateBytes;
    measured.push('rules CPU and state size');
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
  const prices = JSON.parse(readFileSync(values.prices!, 'utf8')) as { asOf: string; regions: Record<string, RegionPrices> };
  const p = prices.regions[values.region!];
  if (!p) throw new Error(`no prices for ${values.region}`);
  const results = existsSync(values.results!) ? JSON.parse(readFileSync(values.results!, 'utf8')) : undefined;
  const { workload, measured } = workloadFrom(results);
  const counts = values.installations!.split(',').map(Number);
  const runs = counts.map((n) => monthlyCost(n, workload, p));
  const header = ['component (USD/month)', ...counts.map((n) => `${n.toLocaleString('en-US')} inst.`), 'driver (at the largest)'];
  const rows = runs[0]!.components.map((c, i) => [
    c.component,
    ...runs.map((r) => fmt(r.components[i]!.usd)),
    runs[runs.length - 1]!.components[i]!.driver,
  ]);
  rows.push(['**total**', ...runs.map((r) => `**${fmt(r.total)}**`), '']);
  rows.push(['per installation-month', ...runs.map((r) => `$${r.perInstallation.toFixed(4)}`), `goal ≤ $${GOAL_PER_INSTALLATION} at 1M`]);
  rows.push(['per installation, first month', ...runs.map((r) => `$${(r.firstMonthTotal / r.installations).toFixed(4)}`), 'archive not yet aged into IA/Glacier']);
  rows.push(['Kinesis on-demand instead', ...runs.map((r) => fmt(r.kinesisOnDemand)), 'compare with Kinesis (provisioned)']);
  const last = runs[runs.length - 1]!;
  process.stdout.write(
    `${values.region}, prices ${prices.asOf} (list), ${measured.length ? `measured: ${measured.join('; ')} (${values.results})` : 'defaults (no bench/results.json)'}\n\n` +
      `${table(header, rows)}\n\n` +
      `at ${last.installations.toLocaleString('en-US')} installations: $${last.perInstallation.toFixed(4)} per installation-month, goal ≤ $${GOAL_PER_INSTALLATION}: ${last.perInstallation <= GOAL_PER_INSTALLATION ? 'holds' : 'missed'}\n`,
  );
}

if (process.argv[1] && /cost\.ts$/.test(process.argv[1])) main();
