/**
 * Monthly AWS cost of the agent in this repository, line by line: from its cadence
 * (lambdas/core/telemetry/cadence.ts), what the bench measured (bench/results.json) and list
 * prices (bench/prices.json). Pure arithmetic, unit-tested (test/unit/bench/cost-model.test.ts).
 * Every line says whether its inputs were measured or assumed; DynamoDB is priced on-demand and
 * provisioned side by side.
 */

export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
/** Lambda gives one full vCPU at 1,769 MB; below that CPU time stretches by 1769 / memory. */
export const FULL_VCPU_MB = 1769;
/** The issue's goals: all lines in, at 1M installations; and the requests the cadence may cost. */
export const GOAL_PER_INSTALLATION = 0.01;
export const GOAL_REQUESTS_PER_INSTALLATION_MONTH = 3000;

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
  /** a provisioned replicated write capacity unit (global table replica) */
  dynamoProvisionedRwcuHour?: number;
  kinesisShardHour: number;
  kinesisPutPayloadUnitsPerMillion: number;
  kinesisExtendedRetentionShardHour: number;
  kinesisOnDemandStreamHour: number;
  kinesisOnDemandIngestGb: number;
  kinesisOnDemandRetrievalGb: number;
  s3PutPer1000: number;
  s3GetPer1000?: number;
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
  athenaPerTbScanned?: number;
  dataTransferOutGb?: number;
}

export interface LambdaCall {
  memoryMb: number;
  /** CPU ms on a full core (measured on the bench machine) */
  cpuMs: number;
  /** waiting on AWS (DynamoDB, Kinesis, S3), ms */
  ioMs: number;
}

/** What one installation does and what serving it costs; each field documented where it is defaulted (bench/cost.ts). */
export interface Workload {
  /** seconds between the agent's requests (cadence.ts defaultCycleSeconds) */
  cycleSeconds: number;
  /** requests the agent makes per cycle (one: the telemetry post answers with the licence's ETag) */
  requestsPerCycle: number;
  /** other agent requests per month: licence fetches when told it changed, renewals */
  otherRequestsPerMonth: number;
  /** beats one cycle's post carries (counters every minute, inventory on change and daily), averaged */
  beatsPerBatch: number;
  /** Kinesis records one post becomes (one compressed record, split only past 1 MiB) */
  recordsPerBatch: number;
  /** bytes put on the stream per post, all its records */
  recordBytesPerBatch: number;
  /** bytes of the answer and its headers per request, to the internet */
  responseBytesPerRequest: number;
  /** the API stage's access log line per request (lib/stacks/stateless-stack.ts format) */
  accessLogBytesPerRequest: number;
  /** days CloudWatch keeps logs (cdk.json logRetentionDays) */
  logRetentionDays: number;
  /** the installation item (with its signed licence) read by every post (the rules: only for a record without its facts) */
  installationItemBytes: number;
  /** RRU of the account item's terms per post: 0 while the installation's copy rides in its one query (the account view) */
  accountTermsRru: number;
  /** the account view (docs/licensing.md): changes of an account's terms a month, each a WRU per active installation */
  accountViewCopies: { changesPerMonth: number; wruPerCopy: number };
  /** the licensing table is a global table: every write is paid again in each other replica */
  licensingReplicas: number;
  /** the "last heard" stamp (INST#/POLL): a telemetry request writes it once in `everySeconds`, each other request (a poll) once; WRU each */
  lastSeen: { everySeconds: number; wruPerStamp: number };
  /** what the rules consumer reads and writes per installation batch, and keeps per installation */
  rulesStore: { wruPerBatch: number; rruPerBatch: number; storedBytes: number };
  /**
   * the history the rules consumer keeps (docs/proactive-support.md "History"): its writes and
   * reads per installation batch, and the bytes its three tiers hold per installation at steady state
   */
  history: {
    wruPerBatch: number;
    rruPerBatch: number;
    storedBytes: number;
    /** once a day per installation: the day's 15-minute points read, its 1-hour points written */
    dayClosure: { wru: number; rru: number };
  };
  /** the rules' config reads once an invocation: the settings revision (consistent GetItem) and the advisory tables (Query) */
  rulesConfigRruPerInvocation: number;
  /** the rules' licence facts cache (lambdas/adapters/licence-facts.ts): a miss reads the installation */
  licenceCache: { ttlSeconds: number; rruPerMiss: number };
  /** share of posts whose stream record carries the rules' licence facts (ingest puts them): no licence read */
  licenceFactsInRecord: number;
  /** re-signs per installation-month (licence renewed at half its 30-day life, plus changes) */
  signsPerMonth: number;
  lambda: {
    ingest: LambdaCall;
    /** one rules invocation (rules.batchesPerInvocation installation batches) */
    rules: LambdaCall;
    /** one archiver invocation (archive.batchesPerInvocation records) */
    archive: LambdaCall;
  };
  /** stdout bytes per invocation our code writes (EMF metrics, logs) */
  logBytes: { ingest: number; rules: number; archive: number };
  /** functions summing their EMF counts per container (METRICS_FLUSH_SECONDS) */
  metricsFlush: { seconds: number; bytesPerFlush: number; ingest: boolean };
  /** share of stream-consumer invocations X-Ray records (the hot path is pass-through) */
  xraySampledShare: number;
  archive: {
    /** agent batches (stream records) per archiver invocation: bounded by the 6 MB invocation payload */
    batchesPerInvocation: number;
    /** objects per archiver invocation (one per arrival hour present) */
    objectsPerInvocation: number;
    /** raw gzip NDJSON bytes per beat */
    rawBytesPerBeat: number;
    /** Parquet (zstd, sorted by type and installation) bytes per beat */
    parquetBytesPerBeat: number;
    /** days raw objects stay before deletion (the landing window) */
    rawDays: number;
    /** Parquet: days in Standard, then Standard-IA until glacierDays (none when equal), Glacier IR until expireDays */
    standardDays: number;
    glacierDays: number;
    expireDays: number;
    /** Parquet objects Athena writes per hour compacted (files per type bucket), per region */
    parquetObjectsPerHour: number;
    /** Athena bills at least 10 MB per query */
    athenaMinScanBytes: number;
  };
  rules: { batchesPerInvocation: number };
  kinesis: { retentionHours: number; consumers: number; shardUtilisation: number };
  /** provisioned DynamoDB: capacity held at this utilisation of the (steady) mean */
  dynamoProvisionedUtilisation: number;
  /** provisioned DynamoDB's minimum units per region (cdk.json `ucx.tableCapacity`, every table and index), held whatever the load */
  provisionedFloor?: { rcu: number; wcu: number; rwcu: number; tablesAndIndexes: number };
  /** what cdk.json deploys (`ucx.tableCapacity`), so the tables can say which column is the bill */
  deployedDynamoMode?: DynamoMode | 'mixed';
  fixedMonthly: { customMetrics: number; routeMetrics: number; kmsKeys: number };
  /** where the rules CPU came from, for the line's driver */
  rulesCpuFrom?: string;
  /** the inputs bench/results.json supplied (see MEASURABLE) */
  measured: readonly Measurable[];
}

/** Inputs the bench measures; a line is "measured" when every measurable input it uses was. */
export const MEASURABLE = [
  'beats per batch',
  'record bytes',
  'ingest CPU',
  'ingest log bytes',
  'rules CPU',
  'rules store units',
  'history store units',
  'archive CPU',
  'raw bytes per beat',
  'parquet bytes per beat',
] as const;
export type Measurable = (typeof MEASURABLE)[number];

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

/** Agent requests per installation-month: one per cycle, plus the occasional licence fetch. */
export function requestsPerInstallationMonth(
  w: Pick<Workload, 'cycleSeconds' | 'requestsPerCycle' | 'otherRequestsPerMonth'>,
) {
  return (SECONDS_PER_MONTH / w.cycleSeconds) * w.requestsPerCycle + w.otherRequestsPerMonth;
}

/** Share of rules batches that find the licence facts cached: none when the cycle outlasts the TTL. */
export function licenceCacheHitRate(cycleSeconds: number, ttlSeconds: number): number {
  // One shard's records go to one container (partition key = installation), so a batch finds the
  // previous one's facts if they are younger than the TTL.
  return cycleSeconds < ttlSeconds ? 1 : 0;
}

export type Basis = 'measured' | 'partly measured' | 'assumed';
export type Group =
  | 'API requests'
  | 'API access logs'
  | 'Lambda'
  | 'Lambda logs'
  | 'DynamoDB'
  | 'Kinesis'
  | 'S3 and Athena'
  | 'metrics, X-Ray, KMS'
  | 'data transfer';

/** The $0.010 goal shared out by line group: the allocation the docs judge each group against. */
export const GROUP_BUDGET: Readonly<Record<Group, number>> = {
  'API requests': 0.0035,
  'API access logs': 0.0006,
  Lambda: 0.0018,
  'Lambda logs': 0.0002,
  DynamoDB: 0.002,
  Kinesis: 0.0003,
  'S3 and Athena': 0.001,
  'metrics, X-Ray, KMS': 0.0003,
  'data transfer': 0.0003,
};

export interface ComponentCost {
  component: string;
  usd: number;
  /** what drives it, in words */
  driver: string;
}

export interface CostLine extends ComponentCost {
  group: Group;
  basis: Basis;
}

export type DynamoMode = 'on-demand' | 'provisioned';

export interface CostResult {
  installations: number;
  mode: DynamoMode;
  lines: CostLine[];
  requests: number;
  requestsPerInstallation: number;
  /** Kinesis on-demand instead of provisioned, for comparison (not in the total) */
  kinesisOnDemand: number;
  total: number;
  perInstallation: number;
}

/**
 * The workload at another cycle, as an upper bound: beats and record bytes scale with the cycle
 * (counters every minute, inventory daily); what the bench measured per post at the default
 * cycle (Lambda CPU, the rules' and history's write units) stays per post, though a post with
 * fewer beats costs less; the archiver's CPU stays per beat (its invocation is bounded by bytes).
 */
export function atCycle(w: Workload, cycleSeconds: number): Workload {
  const f = cycleSeconds / w.cycleSeconds;
  const out = structuredClone(w);
  out.cycleSeconds = cycleSeconds;
  out.beatsPerBatch = w.beatsPerBatch * f;
  out.recordBytesPerBatch = w.recordBytesPerBatch * f;
  out.archive.batchesPerInvocation = Math.max(1, Math.floor(w.archive.batchesPerInvocation / f));
  out.lambda.archive.cpuMs =
    (w.lambda.archive.cpuMs / w.archive.batchesPerInvocation) * f * out.archive.batchesPerInvocation;
  return out;
}

const KB = 1024;
const GB = 1024 ** 3;
const TB = 1024 ** 4;

export function monthlyCost(
  installations: number,
  w: Workload,
  p: RegionPrices,
  mode: DynamoMode = 'on-demand',
): CostResult {
  const perInstallationRequests = requestsPerInstallationMonth(w);
  const requests = installations * perInstallationRequests;
  const batches = installations * (SECONDS_PER_MONTH / w.cycleSeconds);
  const beats = batches * w.beatsPerBatch;
  const records = batches * w.recordsPerBatch;
  const archiveInvocations = batches / w.archive.batchesPerInvocation;
  const rulesInvocations = batches / w.rules.batchesPerInvocation;
  const measured = new Set(w.measured);
  const basis = (...inputs: Measurable[]): Basis => {
    const n = inputs.filter((i) => measured.has(i)).length;
    return inputs.length > 0 && n === inputs.length ? 'measured' : n > 0 ? 'partly measured' : 'assumed';
  };
  const lines: CostLine[] = [];
  const add = (group: Group, component: string, usd: number, b: Basis, driver: string) =>
    lines.push({ group, component, usd, basis: b, driver });
  const perSecond = (n: number) => n / SECONDS_PER_MONTH;

  add(
    'API requests',
    'API Gateway HTTP API requests',
    tiered(p.apiGatewayHttpPerMillion, requests / 1e6),
    basis(),
    `${fmt(perInstallationRequests)} requests per installation-month: one per ${w.cycleSeconds / 60}-minute cycle + ${w.otherRequestsPerMonth} licence fetches`,
  );
  const accessLogGb = (requests * w.accessLogBytesPerRequest) / GB;
  add(
    'API access logs',
    'API access logs (CloudWatch Logs)',
    accessLogGb * (p.logsIngestGb + p.logsStorageGbMonth * (w.logRetentionDays / 30)),
    basis(),
    `${w.accessLogBytesPerRequest} B per request ingested, kept ${w.logRetentionDays} d`,
  );

  const lambdaRequests = requests + rulesInvocations + archiveInvocations;
  add(
    'Lambda',
    'Lambda requests',
    (lambdaRequests / 1e6) * p.lambdaRequestsPerMillion,
    basis('record bytes'),
    `ingest per post; rules per ${w.rules.batchesPerInvocation} posts; archiver per ${fmt(w.archive.batchesPerInvocation)} posts`,
  );
  const lambdaLine = (name: string, count: number, call: LambdaCall, b: Basis, what: string) =>
    add(
      'Lambda',
      name,
      count * gbSeconds(call) * p.lambdaArmGbSecond,
      b,
      `${billedMs(call)} ms @${call.memoryMb} MB: ${call.cpuMs.toFixed(1)} ms CPU ${what} + ${call.ioMs} ms waits`,
    );
  lambdaLine('Lambda ingest', requests, w.lambda.ingest, basis('ingest CPU'), 'per post, SDK clients included');
  lambdaLine(
    'Lambda rules',
    rulesInvocations,
    w.lambda.rules,
    basis('rules CPU'),
    `per ${w.rules.batchesPerInvocation} posts (${w.rulesCpuFrom ?? 'assumed'})`,
  );
  lambdaLine(
    'Lambda archive',
    archiveInvocations,
    w.lambda.archive,
    basis('archive CPU'),
    `per ${fmt(w.archive.batchesPerInvocation)} posts`,
  );

  // Our functions' own log bytes: the ingest sums its metrics per container and minute.
  const ingestContainers = Math.max(1, Math.ceil(perSecond(requests) * (billedMs(w.lambda.ingest) / 1000)));
  const ingestLogBytes = w.metricsFlush.ingest
    ? ingestContainers * (SECONDS_PER_MONTH / w.metricsFlush.seconds) * w.metricsFlush.bytesPerFlush
    : requests * w.logBytes.ingest;
  const logGb = (ingestLogBytes + rulesInvocations * w.logBytes.rules + archiveInvocations * w.logBytes.archive) / GB;
  add(
    'Lambda logs',
    'Lambda logs and EMF (CloudWatch Logs)',
    logGb * (p.logsIngestGb + p.logsStorageGbMonth * (w.logRetentionDays / 30)),
    basis('ingest log bytes'),
    `${fmt(logGb)} GB/month; ingest's metrics summed per container-${w.metricsFlush.seconds} s`,
  );

  // Reads: 1 RRU per 4 KB strongly consistent, half eventually consistent; writes 1 WRU per KB.
  // eventually consistent, as the poll's (a refusal is read again strongly: refusals only)
  const installationRru = Math.ceil(w.installationItemBytes / (4 * KB)) / 2;
  const hitRate = licenceCacheHitRate(w.cycleSeconds, w.licenceCache.ttlSeconds);
  const ingestRru = requests * (installationRru + w.accountTermsRru);
  const licenceRruPerBatch = (1 - w.licenceFactsInRecord) * (1 - hitRate) * w.licenceCache.rruPerMiss;
  const configRruPerBatch = w.rulesConfigRruPerInvocation / w.rules.batchesPerInvocation;
  const rulesRru = batches * (w.rulesStore.rruPerBatch + licenceRruPerBatch + configRruPerBatch);
  const stampsPerInstallation = SECONDS_PER_MONTH / w.lastSeen.everySeconds + w.otherRequestsPerMonth;
  const stamps = installations * stampsPerInstallation * w.lastSeen.wruPerStamp;
  const rulesWru = batches * w.rulesStore.wruPerBatch;
  // the provisioned units the lines hold, to compare with the tables' minimums
  const heldUnits = { read: 0, write: 0, replicated: 0 };
  const provisioned = (unitsPerMonth: number, hourPrice: number, kind: keyof typeof heldUnits) => {
    const units = Math.ceil(perSecond(unitsPerMonth) / w.dynamoProvisionedUtilisation);
    heldUnits[kind] += units;
    return units * hourPrice * HOURS_PER_MONTH;
  };
  const unitHour = {
    read: p.dynamoProvisionedRcuHour,
    write: p.dynamoProvisionedWcuHour,
    replicated: p.dynamoProvisionedRwcuHour ?? p.dynamoProvisionedWcuHour,
  };
  const unitMillion = {
    read: p.dynamoReadPerMillionRru,
    write: p.dynamoWritePerMillionWru,
    replicated: p.dynamoReplicatedWritePerMillionRwru,
  };
  const dynamo = (units: number, kind: keyof typeof heldUnits) =>
    mode === 'on-demand' ? (units / 1e6) * unitMillion[kind] : provisioned(units, unitHour[kind], kind);
  add(
    'DynamoDB',
    'DynamoDB ingest reads',
    dynamo(ingestRru, 'read'),
    basis(),
    w.accountTermsRru > 0
      ? `installation ${installationRru} RRU and account ${w.accountTermsRru} RRU per post, both eventually consistent`
      : `installation with its copy of the account's terms ${installationRru} RRU per post, eventually consistent`,
  );
  add(
    'DynamoDB',
    'DynamoDB rules reads',
    dynamo(rulesRru, 'read'),
    basis('rules store units'),
    `state ${fmt(w.rulesStore.rruPerBatch)} RRU per post; settings revision and advisory tables ${fmt(w.rulesConfigRruPerInvocation)} RRU per invocation; licence ${fmt(licenceRruPerBatch)} RRU per post: ` +
      (w.licenceFactsInRecord === 1
        ? 'its facts ride in the stream record'
        : `${fmt(w.licenceFactsInRecord * 100)} % of records carry its facts, the rest read ${w.licenceCache.rruPerMiss} RRU per miss, cache hit rate ${hitRate * 100} % (TTL ${w.licenceCache.ttlSeconds / 60} min, cycle ${w.cycleSeconds / 60} min)`),
  );
  add(
    'DynamoDB',
    'DynamoDB rules writes',
    dynamo(rulesWru, 'write'),
    basis('rules store units'),
    `${fmt(w.rulesStore.wruPerBatch)} WRU per post (state, findings, snapshots, indexes)`,
  );
  add(
    'DynamoDB',
    'DynamoDB last-heard stamp',
    dynamo(stamps, 'write') + dynamo(stamps * (w.licensingReplicas - 1), 'replicated'),
    basis(),
    `${fmt(stampsPerInstallation)} a month (one in ${w.lastSeen.everySeconds / 3600} h, and each licence fetch) × ${w.lastSeen.wruPerStamp} WRU, in ${w.licensingReplicas} replicas`,
  );
  const copies = installations * w.accountViewCopies.changesPerMonth * w.accountViewCopies.wruPerCopy;
  add(
    'DynamoDB',
    "DynamoDB account view: copies of the account's terms",
    dynamo(copies, 'write') + dynamo(copies * (w.licensingReplicas - 1), 'replicated'),
    basis(),
    `${w.accountViewCopies.changesPerMonth} changes of the terms a month × ${w.accountViewCopies.wruPerCopy} WRU per installation, in ${w.licensingReplicas} replicas`,
  );
  add(
    'DynamoDB',
    'DynamoDB history writes and reads',
    dynamo(batches * w.history.wruPerBatch, 'write') + dynamo(batches * w.history.rruPerBatch, 'read'),
    basis('history store units'),
    `${fmt(w.history.wruPerBatch)} WRU + ${fmt(w.history.rruPerBatch)} RRU per post: its 1-minute block, an hour's 15-minute points`,
  );
  const days = installations * DAYS_PER_MONTH;
  add(
    'DynamoDB',
    "DynamoDB history: a day's 1-hour points",
    dynamo(days * w.history.dayClosure.wru, 'write') + dynamo(days * w.history.dayClosure.rru, 'read'),
    basis(),
    `once a day: ${fmt(w.history.dayClosure.wru)} WRU + ${fmt(w.history.dayClosure.rru)} RRU per installation (the day's 15-minute points read)`,
  );
  add(
    'DynamoDB',
    'DynamoDB history storage',
    ((installations * w.history.storedBytes) / GB) * p.dynamoStorageGbMonth,
    basis(),
    `${fmt(w.history.storedBytes / 1e6)} MB per installation: 1-minute points 48 h, 15-minute 30 d, 1-hour 13 months`,
  );
  const storageGb = (installations * (w.installationItemBytes * w.licensingReplicas + w.rulesStore.storedBytes)) / GB;
  add(
    'DynamoDB',
    'DynamoDB storage',
    storageGb * p.dynamoStorageGbMonth,
    basis('rules store units'),
    `installation (${w.licensingReplicas} replicas), rules state and snapshots`,
  );
  // A lower bound: the minimums are per table and index, the load is compared with their sum.
  const floor = w.provisionedFloor;
  const belowFloor = (min: number, kind: keyof typeof heldUnits) => Math.max(0, min - heldUnits[kind]) * unitHour[kind];
  add(
    'DynamoDB',
    'DynamoDB provisioned minimums',
    mode === 'provisioned' && floor
      ? (belowFloor(floor.rcu, 'read') + belowFloor(floor.wcu, 'write') + belowFloor(floor.rwcu, 'replicated')) *
          HOURS_PER_MONTH
      : 0,
    basis(),
    floor
      ? `provisioned only: ${floor.tablesAndIndexes} tables and indexes hold ${floor.rcu} RCU, ${floor.wcu} WCU and ${floor.rwcu} replicated WCU at least; what the load leaves below that`
      : 'none: nothing provisioned',
  );

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
    'Kinesis',
    'Kinesis shard hours',
    shards * HOURS_PER_MONTH * p.kinesisShardHour + extended,
    basis('record bytes'),
    `${shards} shards (${fmt(bytesPerSecond / 1024 / 1024)} MB/s, ${fmt(recordsPerSecond)} records/s at ${w.kinesis.shardUtilisation * 100} %), ${w.kinesis.retentionHours} h retention`,
  );
  add(
    'Kinesis',
    'Kinesis PUT payload units',
    (putUnits / 1e6) * p.kinesisPutPayloadUnitsPerMillion,
    basis('record bytes'),
    `${fmt(putUnits / 1e6)} M units (${fmt(bytesPerRecord / 1024)} KB per record)`,
  );
  const ingestGb = (records * Math.max(KB, bytesPerRecord)) / GB;
  const kinesisOnDemand =
    HOURS_PER_MONTH * p.kinesisOnDemandStreamHour +
    ingestGb * p.kinesisOnDemandIngestGb +
    ingestGb * w.kinesis.consumers * p.kinesisOnDemandRetrievalGb;

  // S3: raw objects land, Athena rewrites each closed hour into Parquet, raw is deleted after rawDays.
  const a = w.archive;
  const rawPuts = archiveInvocations * a.objectsPerInvocation;
  const parquetPuts = HOURS_PER_MONTH * a.parquetObjectsPerHour;
  // a Standard-IA step only when Glacier IR comes after it
  const viaIa = a.glacierDays > a.standardDays;
  add(
    'S3 and Athena',
    'S3 PUTs (raw and Parquet) and transitions',
    ((rawPuts + parquetPuts) / 1000) * p.s3PutPer1000 +
      (parquetPuts / 1000) * ((viaIa ? p.s3TransitionIaPer1000 : 0) + p.s3TransitionGlacierIrPer1000),
    basis('archive CPU'),
    `${fmt(rawPuts / 1e6)} M raw objects, ${fmt(parquetPuts)} Parquet objects`,
  );
  const rawMonthGb = (beats * a.rawBytesPerBeat) / GB;
  add(
    'S3 and Athena',
    `S3 raw storage (${a.rawDays} d)`,
    rawMonthGb * (a.rawDays / DAYS_PER_MONTH) * p.s3StandardGbMonth,
    basis('raw bytes per beat', 'beats per batch'),
    `${fmt(rawMonthGb / 1024)} TB/month of gzip NDJSON (${fmt(a.rawBytesPerBeat)} B/beat), ${a.rawDays} days held`,
  );
  const parquetMonthGb = (beats * a.parquetBytesPerBeat) / GB;
  const held = (from: number, to: number) => Math.max(0, Math.min(to, a.expireDays) - from) / DAYS_PER_MONTH;
  add(
    'S3 and Athena',
    'S3 Parquet storage (steady state)',
    parquetMonthGb *
      (held(0, a.standardDays) * p.s3StandardGbMonth +
        held(a.standardDays, a.glacierDays) * p.s3StandardIaGbMonth +
        held(a.glacierDays, a.expireDays) * p.s3GlacierIrGbMonth),
    basis('parquet bytes per beat', 'beats per batch'),
    `${fmt(parquetMonthGb / 1024)} TB/month (${fmt(a.parquetBytesPerBeat)} B/beat); ${a.standardDays} d Standard, ${viaIa ? `to ${a.glacierDays} d IA, ` : ''}to ${a.expireDays} d Glacier IR`,
  );
  // Each closed hour's raw objects are read twice (the count, then the UNLOAD: docs/telemetry.md).
  const rawReads = 2;
  const scanBytes = Math.max(rawReads * rawMonthGb * GB, rawReads * HOURS_PER_MONTH * a.athenaMinScanBytes);
  add(
    'S3 and Athena',
    'Athena compaction scans',
    (scanBytes / TB) * (p.athenaPerTbScanned ?? 5) + ((rawReads * rawPuts) / 1000) * (p.s3GetPer1000 ?? 0.0004),
    basis('raw bytes per beat', 'beats per batch'),
    `each closed hour's raw objects read twice (count, UNLOAD): ${fmt(scanBytes / TB)} TB and ${fmt((rawReads * rawPuts) / 1e6)} M GETs a month`,
  );

  add(
    'metrics, X-Ray, KMS',
    'CloudWatch metrics',
    (w.fixedMonthly.customMetrics + w.fixedMonthly.routeMetrics) * p.customMetricMonth,
    basis(),
    `${w.fixedMonthly.customMetrics} EMF metrics + ${w.fixedMonthly.routeMetrics} per-route API metrics, fixed`,
  );
  add(
    'metrics, X-Ray, KMS',
    'X-Ray',
    (((rulesInvocations + archiveInvocations) * w.xraySampledShare) / 1e6) * p.xrayTracesRecordedPerMillion,
    basis(),
    `${w.xraySampledShare * 100} % of stream-consumer invocations (ingest pass-through)`,
  );
  add(
    'metrics, X-Ray, KMS',
    'KMS',
    w.fixedMonthly.kmsKeys * p.kmsKeyMonth + ((installations * w.signsPerMonth) / 10_000) * p.kmsAsymmetricEccPer10000,
    basis(),
    `${w.fixedMonthly.kmsKeys} keys, ${w.signsPerMonth} signs per installation-month`,
  );
  const outGb = (requests * w.responseBytesPerRequest) / GB;
  add(
    'data transfer',
    'Data transfer out',
    outGb * (p.dataTransferOutGb ?? 0.09),
    basis(),
    `${w.responseBytesPerRequest} B per answer (202 with the licence ETag, headers, TLS)`,
  );

  const total = lines.reduce((s, l) => s + l.usd, 0);
  return {
    installations,
    mode,
    lines,
    requests,
    requestsPerInstallation: perInstallationRequests,
    kinesisOnDemand,
    total,
    perInstallation: total / installations,
  };
}

/** The lines summed by group, per installation, against the group's share of the goal. */
export function groupTotals(result: CostResult): { group: Group; perInstallation: number; budget: number }[] {
  return (Object.keys(GROUP_BUDGET) as Group[]).map((group) => ({
    group,
    perInstallation:
      result.lines.filter((l) => l.group === group).reduce((s, l) => s + l.usd, 0) / result.installations,
    budget: GROUP_BUDGET[group],
  }));
}

export function fmt(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}

/** Dollars per installation-month to the hundred-thousandth, the resolution the goal needs. */
export const perInst = (usd: number) => `$${usd.toFixed(5)}`;
