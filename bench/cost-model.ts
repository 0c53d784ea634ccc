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
  /** one Kinesis record (archive row JSON) per beat */
  recordBytesPerBeat: number;
  /** the archive's gzip NDJSON, per beat */
  archiveBytesPerBeat: number;
  /** licensing item read per poll / per batch (the installation with its licence) */
  installationItemBytes: number;
  /** rules state item, read and written once per installation per rules batch */
  ruleStateBytes: number;
  /** re-signs per installation-month (licence renewed at half its 30-day life, plus changes) */
  signsPerMonth: number;
  lambda: {
    poll: LambdaCall;
    ingest: LambdaCall;
    rules: LambdaCall;
    archive: LambdaCall;
  };
  /** stdout bytes per invocation our code writes (EMF metrics, logs), plus the platform's START/END/REPORT */
  logBytes: { poll: number; ingest: number; rules: number; archive: number; platformPerInvocation: number };
  /** share of requests X-Ray records (Active tracing; default rule 1/s + 5 %) */
  xraySampledShare: number;
  archive: {
    /** beats per archiver invocation (batch size 1000, 60 s window: full at scale) */
    beatsPerInvocation: number;
    /** objects per archiver invocation (one per beat type and hour present) */
    objectsPerInvocation: number;
    /** days in S3 Standard, Standard-IA, Glacier IR before deletion (cdk.json ucx.archive) */
    standardDays: number;
    iaDays: number;
    glacierIrDays: number;
  };
  /** beats per rules invocation per installation (its whole batch usually arrives together) */
  rulesBatchesPerInstallationBatch: number;
  kinesis: { retentionHours: number; consumers: number; shardUtilisation: number };
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
  const rulesInvocationsShare = w.rulesBatchesPerInstallationBatch;
  const archiveInvocations = beats / w.archive.beatsPerInvocation;
  // Rules invocations: a 500-record batch holds the batches of ~10 installations.
  const rulesInvocations = beats / 500;
  const components: ComponentCost[] = [];
  const add = (component: string, usd: number, driver: string) => components.push({ component, usd, driver });

  const apiRequests = polls + batches;
  add('API Gateway HTTP API', tiered(p.apiGatewayHttpPerMillion, apiRequests / 1e6), `${fmt(apiRequests / 1e6)} M requests (polls + batches)`);

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
    `poll ${billedMs(w.lambda.poll)} ms @${w.lambda.poll.memoryMb} MB, ingest ${billedMs(w.lambda.ingest)} ms @${w.lambda.ingest.memoryMb} MB, rules ${billedMs(w.lambda.rules)} ms @${w.lambda.rules.memoryMb} MB`,
  );

  // Strongly consistent reads: 1 RRU per 4 KB; writes 1 WRU per 1 KB.
  const installationRru = Math.ceil(w.installationItemBytes / (4 * KB));
  const stateRru = Math.ceil(w.ruleStateBytes / (4 * KB));
  const stateWru = Math.ceil(w.ruleStateBytes / KB);
  const stateWrites = batches * rulesInvocationsShare;
  const rru = (polls + batches) * installationRru + stateWrites * stateRru;
  add('DynamoDB reads (on-demand)', (rru / 1e6) * p.dynamoReadPerMillionRru, `poll and batch read the installation (${installationRru} RRU), rules read state (${stateRru} RRU)`);
  add(
    'DynamoDB writes (on-demand)',
    ((stateWrites * stateWru) / 1e6) * p.dynamoWritePerMillionWru,
    `rules state ${fmt(w.ruleStateBytes / KB)} KB written per installation batch = ${stateWru} WRU`,
  );
  const storageGb = (installations * (w.installationItemBytes + w.ruleStateBytes)) / GB;
  add('DynamoDB storage', storageGb * p.dynamoStorageGbMonth * 2, 'installation (global table, 2 replicas) and rules state');

  // Kinesis provisioned: shards for bytes (1 MB/s) and records (1000/s) in, at a target utilisation.
  const recordsPerSecond = beats / SECONDS_PER_MONTH;
  const bytesPerSecond = (beats * w.recordBytesPerBeat) / SECONDS_PER_MONTH;
  const shards = Math.max(
    1,
    Math.ceil(Math.max(recordsPerSecond / 1000, bytesPerSecond / (1024 * 1024)) / w.kinesis.shardUtilisation),
  );
  const putUnits = beats * Math.ceil(w.recordBytesPerBeat / (25 * KB));
  const extended = w.kinesis.retentionHours > 24 ? shards * HOURS_PER_MONTH * p.kinesisExtendedRetentionShardHour : 0;
  add(
    'Kinesis (provisioned)',
    shards * HOURS_PER_MONTH * p.kinesisShardHour + (putUnits / 1e6) * p.kinesisPutPayloadUnitsPerMillion + extended,
    `${shards} shards (${fmt(bytesPerSecond / 1024 / 1024)} MB/s, ${fmt(recordsPerSecond)} records/s), ${fmt(putUnits / 1e6)} M PUT units`,
  );
  const ingestGb = (beats * Math.max(KB, w.recordBytesPerBeat)) / GB;
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
  add('S3 requests', (puts / 1000) * p.s3PutPer1000 + (puts / 1000) * (p.s3TransitionIaPer1000 + p.s3TransitionGlacierIrPer1000), `${fmt(puts / 1e6)} M PUTs + lifecycle transitions`);
  const storageUsd = standardGb * p.s3StandardGbMonth + iaGb * p.s3StandardIaGbMonth + girGb * p.s3GlacierIrGbMonth;
  add(
    'S3 storage (steady state)',
    storageUsd,
    `${fmt(monthGb / 1024)} TB/month archived; held ${w.archive.standardDays} d Standard, to ${w.archive.iaDays} d IA, to ${w.archive.glacierIrDays} d Glacier IR`,
  );

  const logBytes =
    polls * (w.logBytes.poll + w.logBytes.platformPerInvocation) +
    batches * (w.logBytes.ingest + w.logBytes.platformPerInvocation) +
    rulesInvocations * (w.logBytes.rules + w.logBytes.platformPerInvocation) +
    archiveInvocations * (w.logBytes.archive + w.logBytes.platformPerInvocation);
  const logGb = logBytes / GB;
  add('CloudWatch Logs', logGb * p.logsIngestGb + logGb * p.logsStorageGbMonth, `${fmt(logGb)} GB/month: EMF metric lines + START/END/REPORT`);
  add('CloudWatch metrics', w.fixedMonthly.customMetrics * p.customMetricMonth, `${w.fixedMonthly.customMetrics} custom metrics (EMF), fixed`);
  add('X-Ray', ((invocations * w.xraySampledShare) / 1e6) * p.xrayTracesRecordedPerMillion, `${w.xraySampledShare * 100} % of invocations traced`);
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
