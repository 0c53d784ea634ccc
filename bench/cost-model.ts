/**
 * Monthly AWS cost per component for N installations, from the agent's cadence, the measured
 * handler CPU and payload sizes (bench/results.json) and list prices (bench/prices.json). Pure
 * arithmetic, unit-tested (test/unit/bench/cost-model.test.ts).
 */

export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** Lambda gives one full vCPU at 1,769 MB; below that CPU time stretches by 1769 / memory. */
export const FULL_VCPU_MB = 1769;

export interface RegionPrices {
  apiGatewayHttpPerMillion: { upToMillions: number | null; usd: number }[];
  lambdaRequestsPerMillion: number;
  lambdaArmGbSecond: number;
  dynamoReadPerMillionRru: number;
  dynamoWritePerMillionWru: number;
  dynamoReplicatedWritePerMillionRwru: number;
  dynamoStorageGbMonth: number;
  dynamoProvisionedWcuHour: number;
  dynamoProvisionedRcuHour: number;
  kinesisShardHour: number;
  kinesisPutPayloadUnitsPerMillion: number;
  kinesisExtendedRetentionShardHour: number;
  kinesisOnDemandStreamHour: number;
  kinesisOnDemandIngestGb: number;
  kinesisOnDemandRetrievalGb: number;
  s3PutPer1000: number;
  s3StandardGbMonth: number;
  s3StandardIaGbMonth: number;
  s3GlacierIrGbMonth: number;
  s3TransitionIaPer1000: number;
  s3TransitionGlacierIrPer1000: number;
  logsIngestGb: number;
  logsStorageGbMonth: number;
  customMetricMonth: number;
  kmsKeyMonth: number;
  kmsAsymmetricEccPer10000: number;
  xrayTracesRecordedPerMillion: number;
}

/** What one installation does and what each request costs to serve; every field documented where it is defaulted. */
export interface Workload {
  pollsPerHour: number;
  batchesPerHour: number;
  beatsPerBatch: number;
  /** Kinesis records one agent batch becomes (one compressed record, split only past 1 MiB) */
  recordsPerBatch: number;
  /** bytes put on the stream per agent batch, all its records */
  recordBytesPerBatch: number;
  /** the archive's gzip NDJSON, per beat */
  archiveBytesPerBeat: number;
  /** licensing item read per poll / per batch (the installation with its licence) */
  installationItemBytes: number;
  /** the poll reads the installation eventually consistent (half an RRU); the batch reads it strongly (telemetry switch) */
  pollReadsEventuallyConsistent: boolean;
  /** RRU of the account item's termsRev and telemetry switch, read beside the installation by every poll and batch */
  accountTermsRru: number;
  /** the licensing table is a global table: every write is paid again in each other replica */
  licensingReplicas: number;
  /** the sampled "last poll" stamp: writes per installation-hour and WRU each */
  lastPoll: { stampsPerHour: number; wruPerStamp: number };
  /**
   * What the rules consumer reads and writes per installation batch, every item and index write
   * included (state, findings, snapshots; transactions at 2×), and what it keeps per installation
   */
  rulesStore: { wruPerBatch: number; rruPerBatch: number; storedBytes: number };
  /** re-signs per installation-month (licence renewed at half its 30-day life, plus changes) */
  signsPerMonth: number;
  lambda: {
    poll: LambdaCall;
    ingest: LambdaCall;
    /** one rules invocation (rules.batchesPerInvocation installation batches) */
    rules: LambdaCall;
    /** one archiver invocation (archive.batchesPerInvocation records) */
    archive: LambdaCall;
  };
  /** stdout bytes per invocation our code writes (EMF metrics, logs), plus the platform's START/END/REPORT */
  logBytes: { poll: number; ingest: number; rules: number; archive: number; platformPerInvocation: number };
  /**
   * Functions that sum their EMF counts per container (METRICS_FLUSH_SECONDS): their per-request
   * log bytes are replaced by `bytesPerFlush` per warm container per `seconds`.
   */
  metricsFlush: { seconds: number; bytesPerFlush: number; functions: readonly ('poll' | 'ingest')[] };
  /** share of requests X-Ray records (Active tracing; Lambda's rule 1/s + 5 %) */
  xraySampledShare: number;
  /** whether poll and ingest are traced too (lib/routes.ts `tracing`; pass-through means not) */
  xrayTracesHotPaths: boolean;
  archive: {
    /** agent batches (stream records) per archiver invocation: bounded by the 6 MB invocation payload */
    batchesPerInvocation: number;
    /** objects per archiver invocation (one per arrival hour present) */
    objectsPerInvocation: number;
    /** days in S3 Standard, Standard-IA, Glacier IR before deletion (cdk.json ucx.archive) */
    standardDays: number;
    iaDays: number;
    glacierIrDays: number;
  };
  rules: {
    /** installation batches per rules invocation (records per invocation, one record per batch) */
    batchesPerInvocation: number;
  };
  kinesis: { retentionHours: number; consumers: number; shardUtilisation: number };
  /** provisioned DynamoDB instead of on-demand, for comparison: capacity held at this utilisation */
  dynamoProvisionedUtilisation: number;
  fixedMonthly: { customMetrics: number; kmsKeys: number };
}

export interface LambdaCall {
  memoryMb: number;
  /** CPU ms on a full core (measured on the bench machine) */
  cpuMs: number;
  /** waiting on AWS (DynamoDB, Kinesis, S3), ms */
  ioMs: number;
}

/** Billed ms of one invocation: CPU stretched by the memory's vCPU share, plus I/O waits. */
export function billedMs(call: LambdaCall): number {
  return Math.ceil(call.cpuMs * Math.max(1, FULL_VCPU_MB / call.memoryMb) + call.ioMs);
}

export function gbSeconds(call: LambdaCall): number {
  return (billedMs(call) / 1000) * (call.memoryMb / 1024);
}

export function tiered(tiers: RegionPrices['apiGatewayHttpPerMillion'], millions: number): number {
  let left = millions;
  let previous = 0;
  let usd = 0;
  for (const tier of tiers) {
    const size = tier.upToMillions === null ? Infinity : tier.upToMillions - previous;
    const here = Math.min(left, size);
    usd += here * tier.usd;
    left -= here;
    previous = tier.upToMillions ?? previous;
    if (left <= 0) break;
  }
  return usd;
}

export interface ComponentCost {
  component: string;
  usd: number;
  /** what drives it, in words */
  driver: string;
}

export interface CostResult {
  installations: number;
  components: ComponentCost[];
  /** Kinesis on-demand instead of provisioned, for comparison (not in the total) */
  kinesisOnDemand: number;
  /** DynamoDB provisioned (reads and writes) instead of on-demand, for comparison (not in the total) */
  dynamoProvisioned: number;
  total: number;
  perInstallation: number;
  /** archive storage in the first month only (not yet in IA / Glacier IR) */
  firstMonthTotal: number;
}

const KB = 1024;
const GB = 1024 ** 3;

export function monthlyCost(installations: number, w: Workload, p: RegionPrices): CostResult {
  const polls = installations * w.pollsPerHour * HOURS_PER_MONTH;
  const batches = installations * w.batchesPerHour * HOURS_PER_MONTH;
  const beats = batches * w.beatsPerBatch;
  const records = batches * w.recordsPerBatch;
  const archiveInvocations = batches / w.archive.batchesPerInvocation;
  const rulesInvocations = batches / w.rules.batchesPerInvocation;
  const components: ComponentCost[] = [];
  const add = (component: string, usd: number, driver: string) => components.push({ component, usd, driver });

  const apiRequests = polls + batches;
  add(
    'API Gateway HTTP API',
    tiered(p.apiGatewayHttpPerMillion, apiRequests / 1e6),
    `${fmt(apiRequests / 1e6)} M requests (polls + batches)`,
  );

  const invocations = polls + batches + rulesInvocations + archiveInvocations;
  const gbs =
    polls * gbSeconds(w.lambda.poll) +
    batches * gbSeconds(w.lambda.ingest) +
    rulesInvocations * gbSeconds(w.lambda.rules) +
    archiveInvocations * gbSeconds(w.lambda.archive);
  add('Lambda requests', (invocations / 1e6) * p.lambdaRequestsPerMillion, `${fmt(invocations / 1e6)} M invocations`);
  add(
    'Lambda duration (arm64)',
    gbs * p.lambdaArmGbSecond,
    `poll ${billedMs(w.lambda.poll)} ms @${w.lambda.poll.memoryMb} MB, ingest ${billedMs(w.lambda.ingest)} ms @${w.lambda.ingest.memoryMb} MB, rules ${billedMs(w.lambda.rules)} ms @${w.lambda.rules.memoryMb} MB, archive ${billedMs(w.lambda.archive)} ms @${w.lambda.archive.memoryMb} MB`,
  );

  // Reads: 1 RRU per 4 KB strongly consistent, half that eventually consistent; writes 1 WRU per KB.
  const installationRru = Math.ceil(w.installationItemBytes / (4 * KB));
  const pollRru = installationRru * (w.pollReadsEventuallyConsistent ? 0.5 : 1);
  const stamps = installations * w.lastPoll.stampsPerHour * HOURS_PER_MONTH;
  const rru =
    polls * (pollRru + w.accountTermsRru) +
    batches * (installationRru + w.accountTermsRru) +
    batches * w.rulesStore.rruPerBatch;
  const wru = batches * w.rulesStore.wruPerBatch + stamps * w.lastPoll.wruPerStamp * w.licensingReplicas;
  add(
    'DynamoDB reads (on-demand)',
    (rru / 1e6) * p.dynamoReadPerMillionRru,
    `poll ${pollRru} RRU${w.pollReadsEventuallyConsistent ? ' (eventually consistent)' : ''} + account ${w.accountTermsRru} RRU, batch ${installationRru} + ${w.accountTermsRru} RRU, rules ${fmt(w.rulesStore.rruPerBatch)} RRU per batch`,
  );
  add(
    'DynamoDB writes (on-demand)',
    (wru / 1e6) * p.dynamoWritePerMillionWru,
    `rules ${fmt(w.rulesStore.wruPerBatch)} WRU per installation batch (state, findings, snapshots, indexes); last-poll stamp ${w.lastPoll.stampsPerHour}/h × ${w.lastPoll.wruPerStamp} WRU × ${w.licensingReplicas} replicas`,
  );
  const storageGb = (installations * (w.installationItemBytes * w.licensingReplicas + w.rulesStore.storedBytes)) / GB;
  add(
    'DynamoDB storage',
    storageGb * p.dynamoStorageGbMonth,
    `installation (global table, ${w.licensingReplicas} replicas), rules state and snapshots`,
  );
  const perSecond = (n: number) => n / SECONDS_PER_MONTH;
  const dynamoProvisioned =
    (Math.ceil(perSecond(rru) / w.dynamoProvisionedUtilisation) * p.dynamoProvisionedRcuHour +
      Math.ceil(perSecond(wru) / w.dynamoProvisionedUtilisation) * p.dynamoProvisionedWcuHour) *
    HOURS_PER_MONTH;

  // Kinesis provisioned: shards for bytes (1 MB/s) and records (1000/s) in, at a target utilisation.
  const recordsPerSecond = perSecond(records);
  const bytesPerSecond = perSecond(batches * w.recordBytesPerBatch);
  const shards = Math.max(
    1,
    Math.ceil(Math.max(recordsPerSecond / 1000, bytesPerSecond / (1024 * 1024)) / w.kinesis.shardUtilisation),
  );
  const bytesPerRecord = w.recordBytesPerBatch / w.recordsPerBatch;
  const putUnits = records * Math.ceil(bytesPerRecord / (25 * KB));
  const extended = w.kinesis.retentionHours > 24 ? shards * HOURS_PER_MONTH * p.kinesisExtendedRetentionShardHour : 0;
  add(
    'Kinesis (provisioned)',
    shards * HOURS_PER_MONTH * p.kinesisShardHour + (putUnits / 1e6) * p.kinesisPutPayloadUnitsPerMillion + extended,
    `${shards} shards (${fmt(bytesPerSecond / 1024 / 1024)} MB/s, ${fmt(recordsPerSecond)} records/s), ${fmt(putUnits / 1e6)} M PUT units`,
  );
  const ingestGb = (records * Math.max(KB, bytesPerRecord)) / GB;
  const kinesisOnDemand =
    HOURS_PER_MONTH * p.kinesisOnDemandStreamHour +
    ingestGb * p.kinesisOnDemandIngestGb +
    ingestGb * w.kinesis.consumers * p.kinesisOnDemandRetrievalGb;

  // S3: objects written, then storage at steady state (every month's data aged through the lifecycle).
  const puts = archiveInvocations * w.archive.objectsPerInvocation;
  const monthGb = (beats * w.archiveBytesPerBeat) / GB;
  const monthDays = HOURS_PER_MONTH / 24;
  const standardGb = monthGb * (w.archive.standardDays / monthDays);
  const iaGb = monthGb * ((w.archive.iaDays - w.archive.standardDays) / monthDays);
  const girGb = monthGb * ((w.archive.glacierIrDays - w.archive.iaDays) / monthDays);
  add(
    'S3 requests',
    (puts / 1000) * p.s3PutPer1000 + (puts / 1000) * (p.s3TransitionIaPer1000 + p.s3TransitionGlacierIrPer1000),
    `${fmt(puts / 1e6)} M PUTs + lifecycle transitions`,
  );
  const storageUsd = standardGb * p.s3StandardGbMonth + iaGb * p.s3StandardIaGbMonth + girGb * p.s3GlacierIrGbMonth;
  add(
    'S3 storage (steady state)',
    storageUsd,
    `${fmt(monthGb / 1024)} TB/month archived; held ${w.archive.standardDays} d Standard, to ${w.archive.iaDays} d IA, to ${w.archive.glacierIrDays} d Glacier IR`,
  );

  // Logs: per request, except for the functions that sum their metrics per container (their
  // containers: concurrency = request rate × billed seconds, at least one).
  const flushed = new Set(w.metricsFlush.functions);
  const perRequestLog = (fn: 'poll' | 'ingest', count: number, call: LambdaCall) => {
    if (!flushed.has(fn)) return count * w.logBytes[fn];
    const containers = Math.max(1, Math.ceil(perSecond(count) * (billedMs(call) / 1000)));
    return containers * (SECONDS_PER_MONTH / w.metricsFlush.seconds) * w.metricsFlush.bytesPerFlush;
  };
  const logBytes =
    perRequestLog('poll', polls, w.lambda.poll) +
    perRequestLog('ingest', batches, w.lambda.ingest) +
    rulesInvocations * w.logBytes.rules +
    archiveInvocations * w.logBytes.archive +
    invocations * w.logBytes.platformPerInvocation;
  const logGb = logBytes / GB;
  add(
    'CloudWatch Logs',
    logGb * p.logsIngestGb + logGb * p.logsStorageGbMonth,
    `${fmt(logGb)} GB/month: EMF (poll and ingest summed per container-${w.metricsFlush.seconds} s), logs${w.logBytes.platformPerInvocation ? ', START/END/REPORT' : ''}`,
  );
  add(
    'CloudWatch metrics',
    w.fixedMonthly.customMetrics * p.customMetricMonth,
    `${w.fixedMonthly.customMetrics} custom metrics (EMF), fixed`,
  );
  const traced = w.xrayTracesHotPaths ? invocations : rulesInvocations + archiveInvocations;
  add(
    'X-Ray',
    ((traced * w.xraySampledShare) / 1e6) * p.xrayTracesRecordedPerMillion,
    `${w.xraySampledShare * 100} % of ${w.xrayTracesHotPaths ? 'all' : 'stream-consumer'} invocations traced${w.xrayTracesHotPaths ? '' : ' (poll and ingest pass-through)'}`,
  );
  add(
    'KMS',
    w.fixedMonthly.kmsKeys * p.kmsKeyMonth + ((installations * w.signsPerMonth) / 10_000) * p.kmsAsymmetricEccPer10000,
    `${w.fixedMonthly.kmsKeys} keys, ${w.signsPerMonth} signs per installation`,
  );

  const total = components.reduce((a, c) => a + c.usd, 0);
  const firstMonthStorage = monthGb * 0.5 * p.s3StandardGbMonth; // filled evenly over the month
  return {
    installations,
    components,
    kinesisOnDemand,
    dynamoProvisioned,
    total,
    perInstallation: total / installations,
    firstMonthTotal: total - storageUsd + firstMonthStorage,
  };
}

export function fmt(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}
