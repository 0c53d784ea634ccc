import {
  atCycle,
  billedMs,
  GROUP_BUDGET,
  groupTotals,
  HOURS_PER_MONTH,
  licenceCacheHitRate,
  monthlyCost,
  requestsPerInstallationMonth,
  SECONDS_PER_MONTH,
  tiered,
  type CostResult,
} from '#bench/cost-model';
import {
  accessLogLineBytes,
  archiveLifecycleFrom,
  costReport,
  costTables,
  cyclesOfCare,
  defaultWorkload,
  tableCapacityFrom,
  withCostTables,
  workloadFrom,
} from '#bench/cost';
import {
  careCycleSeconds,
  contactStampSeconds,
  defaultCycleSeconds,
  minimumCycleSeconds,
} from '../../../lambdas/core/telemetry/cadence';
import prices from '../../../bench/prices.json';

const us = prices.regions['us-east-1'];
const eu = prices.regions['eu-central-1'];
const line = (r: CostResult, name: string) => r.lines.find((l) => l.component === name)!;

describe('cost model', () => {
  it('reads the cadence from cadence.ts: one request per cycle, under 3,000 a month', () => {
    const w = defaultWorkload();
    expect(w.cycleSeconds).toBe(defaultCycleSeconds);
    expect(requestsPerInstallationMonth(w)).toBeCloseTo(SECONDS_PER_MONTH / defaultCycleSeconds + 2);
    expect(requestsPerInstallationMonth({ cycleSeconds: 900, requestsPerCycle: 1, otherRequestsPerMonth: 0 })).toBe(
      2920,
    );
    expect(requestsPerInstallationMonth(w)).toBeLessThanOrEqual(3000);
    // a poll beside every post would double it
    expect(requestsPerInstallationMonth({ ...w, requestsPerCycle: 2 })).toBeGreaterThan(3000);
  });

  it('stretches CPU time by the memory share of a vCPU and adds I/O waits', () => {
    expect(billedMs({ memoryMb: 1769, cpuMs: 10, ioMs: 5 })).toBe(15);
    expect(billedMs({ memoryMb: 3538, cpuMs: 10, ioMs: 5 })).toBe(15); // no faster than one core
    expect(billedMs({ memoryMb: 256, cpuMs: 1, ioMs: 5 })).toBe(Math.ceil(1769 / 256 + 5));
  });

  it('prices API Gateway requests by tier, per request of the cadence', () => {
    expect(tiered(us.apiGatewayHttpPerMillion, 100)).toBeCloseTo(100);
    expect(tiered(us.apiGatewayHttpPerMillion, 400)).toBeCloseTo(300 * 1.0 + 100 * 0.9);
    const r = monthlyCost(1000, defaultWorkload(), eu);
    expect(line(r, 'API Gateway HTTP API requests').usd).toBeCloseTo(((1000 * 2922) / 1e6) * 1.2);
  });

  it('prices the access log line of every request as CloudWatch Logs ingest and storage', () => {
    const w = { ...defaultWorkload(), logRetentionDays: 30 };
    const r = monthlyCost(1000, w, us);
    const gb = (1000 * requestsPerInstallationMonth(w) * w.accessLogBytesPerRequest) / 1024 ** 3;
    expect(line(r, 'API access logs (CloudWatch Logs)').usd).toBeCloseTo(gb * (0.5 + 0.03));
  });

  it("reads no licence in the rules when the stream records carry its facts (ingest's default), and the config once an invocation", () => {
    const base = defaultWorkload();
    const rules = line(monthlyCost(1000, base, us), 'DynamoDB rules reads');
    const posts = (1000 * SECONDS_PER_MONTH) / base.cycleSeconds;
    const invocations = posts / base.rules.batchesPerInvocation;

    expect(base.licenceFactsInRecord).toBe(1);
    expect(rules.usd).toBeCloseTo(
      ((posts * base.rulesStore.rruPerBatch + invocations * base.rulesConfigRruPerInvocation) / 1e6) *
        us.dynamoReadPerMillionRru,
      4,
    );
    expect(rules.driver).toMatch(/licence 0.0 RRU per post: its facts ride in the stream record/);
  });

  it('misses the licence cache when the cycle outlasts its TTL, and reads the installation then (records without facts)', () => {
    expect(licenceCacheHitRate(900, 300)).toBe(0);
    expect(licenceCacheHitRate(300, 1200)).toBe(1);
    const base = { ...defaultWorkload(), licenceFactsInRecord: 0 };
    const reads = (w: typeof base) => line(monthlyCost(1000, w, us), 'DynamoDB rules reads').usd;
    const posts = (1000 * SECONDS_PER_MONTH) / base.cycleSeconds;
    expect(reads(base) - reads({ ...base, licenceCache: { ttlSeconds: 1200, rruPerMiss: 1 } })).toBeCloseTo(
      (posts / 1e6) * us.dynamoReadPerMillionRru,
    );
  });

  it('prices the history: its writes and reads per post, the day closed once a day, and the bytes its tiers keep', () => {
    const w = {
      ...defaultWorkload(),
      history: { wruPerBatch: 2, rruPerBatch: 1, storedBytes: 1_000_000, dayClosure: { wru: 3, rru: 4 } },
    };
    const r = monthlyCost(1000, w, us);
    const posts = (1000 * SECONDS_PER_MONTH) / w.cycleSeconds;
    expect(line(r, 'DynamoDB history writes and reads').usd).toBeCloseTo(
      ((2 * posts) / 1e6) * us.dynamoWritePerMillionWru + (posts / 1e6) * us.dynamoReadPerMillionRru,
    );
    const days = (1000 * HOURS_PER_MONTH) / 24;
    expect(line(r, "DynamoDB history: a day's 1-hour points").usd).toBeCloseTo(
      ((3 * days) / 1e6) * us.dynamoWritePerMillionWru + ((4 * days) / 1e6) * us.dynamoReadPerMillionRru,
    );
    expect(line(r, 'DynamoDB history storage').usd).toBeCloseTo(
      ((1000 * 1_000_000) / 1024 ** 3) * us.dynamoStorageGbMonth,
    );
    expect(line(r, 'DynamoDB history storage').group).toBe('DynamoDB');
  });

  it('counts the rules writes per post and the last-heard stamp in every replica', () => {
    const base = { ...defaultWorkload(), rulesStore: { wruPerBatch: 1, rruPerBatch: 1, storedBytes: 1000 } };
    const r = monthlyCost(1000, base, us);
    const posts = (1000 * SECONDS_PER_MONTH) / base.cycleSeconds;
    expect(line(r, 'DynamoDB rules writes').usd).toBeCloseTo((posts / 1e6) * us.dynamoWritePerMillionWru);
    // one a telemetry request keeps every contactStampSeconds, and one per licence fetch
    const stamps = 1000 * (SECONDS_PER_MONTH / contactStampSeconds + base.otherRequestsPerMonth);
    expect(line(r, 'DynamoDB last-heard stamp').usd).toBeCloseTo(
      (stamps / 1e6) * (us.dynamoWritePerMillionWru + us.dynamoReplicatedWritePerMillionRwru),
    );
  });

  it('prices DynamoDB provisioned beside on-demand; the rest of the bill is the same', () => {
    const w = defaultWorkload();
    const onDemand = monthlyCost(1_000_000, w, us, 'on-demand');
    const provisioned = monthlyCost(1_000_000, w, us, 'provisioned');
    for (const [i, l] of onDemand.lines.entries()) {
      if (l.group !== 'DynamoDB' || l.component === 'DynamoDB storage')
        expect(provisioned.lines[i]!.usd).toBeCloseTo(l.usd);
    }
    // steady traffic: capacity held at 70 % costs less than paying per request
    expect(provisioned.total).toBeLessThan(onDemand.total);
  });

  it('pays Kinesis PUT units per started 25 KB of a record', () => {
    const w = { ...defaultWorkload(), recordsPerBatch: 1, recordBytesPerBatch: 30 * 1024 };
    const r = monthlyCost(1000, w, us);
    const posts = (1000 * SECONDS_PER_MONTH) / w.cycleSeconds;
    expect(line(r, 'Kinesis PUT payload units').usd).toBeCloseTo(
      ((posts * 2) / 1e6) * us.kinesisPutPayloadUnitsPerMillion,
    );
  });

  it('keeps raw beats for the landing window and Parquet through the lifecycle; Athena scans each hour twice', () => {
    const w = defaultWorkload();
    const r = monthlyCost(100_000, w, us);
    const beats = (100_000 * SECONDS_PER_MONTH * w.beatsPerBatch) / w.cycleSeconds;
    const rawGb = (beats * w.archive.rawBytesPerBeat) / 1024 ** 3;
    expect(line(r, `S3 raw storage (${w.archive.rawDays} d)`).usd).toBeCloseTo(
      rawGb * (w.archive.rawDays / (HOURS_PER_MONTH / 24)) * us.s3StandardGbMonth,
    );
    const athena = line(r, 'Athena compaction scans').usd;
    // the count and the UNLOAD each read the hour's raw bytes ($5 per TB); the raw objects' GETs are a few % on top
    expect(athena).toBeGreaterThanOrEqual(2 * (rawGb / 1024) * 5);
    expect(athena).toBeLessThan(1.1 * 2 * (rawGb / 1024) * 5);
    const shorter = archiveLifecycleFrom(
      { context: { ucx: { archive: { infrequentAccessDays: 30, glacierDays: 60, expireDays: 90, rawDays: 5 } } } },
      w,
    );
    expect(shorter.archive).toMatchObject({ standardDays: 30, glacierDays: 60, expireDays: 90, rawDays: 5 });
    expect(line(monthlyCost(100_000, shorter, us), 'S3 Parquet storage (steady state)').usd).toBeLessThan(
      line(r, 'S3 Parquet storage (steady state)').usd,
    );
    // no Standard-IA: Standard until Glacier IR, one transition an object
    const direct = archiveLifecycleFrom(
      { context: { ucx: { archive: { glacierDays: 30, expireDays: 90, rawDays: 7 } } } },
      w,
    );
    expect(direct.archive).toMatchObject({ standardDays: 30, glacierDays: 30, expireDays: 90 });
    const viaIa = archiveLifecycleFrom(
      { context: { ucx: { archive: { infrequentAccessDays: 30, glacierDays: 60, expireDays: 90, rawDays: 7 } } } },
      w,
    );
    const withIa = monthlyCost(100_000, viaIa, us);
    const without = monthlyCost(100_000, direct, us);
    expect(line(without, 'S3 Parquet storage (steady state)').usd).toBeLessThan(
      line(withIa, 'S3 Parquet storage (steady state)').usd,
    );
    const parquetPuts = (HOURS_PER_MONTH * w.archive.parquetObjectsPerHour) / 1000;
    expect(
      line(withIa, 'S3 PUTs (raw and Parquet) and transitions').usd -
        line(without, 'S3 PUTs (raw and Parquet) and transitions').usd,
    ).toBeCloseTo(parquetPuts * us.s3TransitionIaPer1000);
    expect(line(without, 'S3 Parquet storage (steady state)').driver).not.toMatch(/IA/);
  });

  it('marks a line measured only when every measurable input it uses came from the bench', () => {
    const assumed = monthlyCost(1000, defaultWorkload(), us);
    expect(new Set(assumed.lines.map((l) => l.basis))).toEqual(new Set(['assumed']));
    const w = workloadFrom({
      agent: { beatsPerCycle: 120, cycleSeconds: defaultCycleSeconds },
      handlers: {
        ingest: {
          handlerCpuMsPerBatch: 4,
          beatsPerBatch: 120,
          recordsPerBatch: 1,
          recordBytesPerBatch: 9000,
          logBytes: 0,
        },
      },
      archive: { bytesPerBeat: 250, cpuMsPerBatch: 2, recordsPerInvocation: 500, objectsPerInvocation: 1 },
    });
    expect(w.beatsPerBatch).toBe(120);
    expect(w.lambda.ingest.cpuMs).toBe(4);
    expect(w.archive.batchesPerInvocation).toBe(500);
    expect(w.lambda.archive.cpuMs).toBe(1000);
    const r = monthlyCost(1000, w, us);
    expect(line(r, 'Lambda ingest').basis).toBe('measured');
    expect(line(r, 'S3 raw storage (7 d)').basis).toBe('measured');
    expect(line(r, 'S3 Parquet storage (steady state)').basis).toBe('partly measured');
    expect(line(r, 'API Gateway HTTP API requests').basis).toBe('assumed');
  });

  it('takes the rules CPU and store units from the stored path and a steady installation', () => {
    const w = workloadFrom({
      rules: { cpuMsPerBatch: 3, writeUnitsPerBatch: 34.8, readUnitsPerBatch: 1, steady: { writeUnitsPerBatch: 0.9 } },
      rulesStored: { cpuMsPerPost: 5 },
    });
    expect(w.rulesStore.wruPerBatch).toBe(0.9);
    expect(w.rulesStore.rruPerBatch).toBe(1);
    expect(w.lambda.rules.cpuMs).toBe(5 * w.rules.batchesPerInvocation);
    // the state's reads as the handler made them (a sandbox keeping what it wrote reads none)
    const kept = workloadFrom({
      rules: { cpuMsPerBatch: 3, readUnitsPerBatch: 1, steady: { writeUnitsPerBatch: 0.9 } },
      rulesStored: { cpuMsPerPost: 5, stateReadUnitsPerPost: 0 },
    });
    expect(kept.rulesStore).toEqual({ ...w.rulesStore, rruPerBatch: 0 });
    expect(monthlyCost(1000, kept, us).total).toBeLessThan(monthlyCost(1000, w, us).total);
  });

  it('takes the history’s units from the stored path when it counted them by kind, and says so', () => {
    const assumed = defaultWorkload().history;
    const w = workloadFrom({
      rulesStored: { cpuMsPerPost: 5, writeUnitsByKind: { STATE: 1.7, HIST: 1.2 }, historyReadUnitsPerPost: 0.4 },
    });
    const without = workloadFrom({ rulesStored: { cpuMsPerPost: 5 } });

    expect(w.history).toEqual({ ...assumed, wruPerBatch: 1.2, rruPerBatch: 0.4 });
    expect(line(monthlyCost(1000, w, us), 'DynamoDB history writes and reads').basis).toBe('measured');
    expect(without.history).toEqual(assumed);
    expect(line(monthlyCost(1000, without, us), 'DynamoDB history writes and reads').basis).toBe('assumed');
  });

  it('shares the $0.010 goal out by line group and sums every line into one', () => {
    expect(Object.values(GROUP_BUDGET).reduce((a, b) => a + b, 0)).toBeCloseTo(0.01);
    const r = monthlyCost(1_000_000, defaultWorkload(), eu);
    expect(groupTotals(r).reduce((a, g) => a + g.perInstallation, 0)).toBeCloseTo(r.perInstallation);
    expect(r.total).toBeCloseTo(r.lines.reduce((a, l) => a + l.usd, 0));
    for (const l of r.lines) expect(Number.isFinite(l.usd)).toBe(true);
  });

  it('says which column cdk.json deploys and holds provisioned capacity at its autoscaling target', () => {
    // Arrange
    const bounds = { read: { min: 5, max: 50 }, write: { min: 5, max: 50 } };
    type Capacity = { mode: string; targetUtilisationPercent?: number };
    const capacity = (licensing: Capacity, support: Capacity) => ({
      context: { ucx: { tableCapacity: { licensing, support } } },
    });
    const w = defaultWorkload();
    // Act
    const both = tableCapacityFrom(
      capacity({ mode: 'provisioned', ...bounds, targetUtilisationPercent: 50 }, { mode: 'provisioned', ...bounds }),
      w,
    );
    const mixed = tableCapacityFrom(capacity({ mode: 'on-demand' }, { mode: 'provisioned', ...bounds }), w);
    const none = tableCapacityFrom({ context: { ucx: {} } }, w);
    // Assert
    expect([both.deployedDynamoMode, both.dynamoProvisionedUtilisation]).toEqual(['provisioned', 0.5]);
    expect([mixed.deployedDynamoMode, mixed.dynamoProvisionedUtilisation]).toEqual(['mixed', 0.7]);
    expect([none.deployedDynamoMode, none.dynamoProvisionedUtilisation]).toEqual([
      'on-demand',
      w.dynamoProvisionedUtilisation,
    ]);
    // a lower target holds more idle capacity: the provisioned bill grows
    const at = (x: typeof w) => monthlyCost(1_000_000, x, eu, 'provisioned').perInstallation;
    expect(at(both)).toBeGreaterThan(at(mixed));
    const tables = (x: typeof w) =>
      costTables(costReport(x, prices.regions, [1_000_000]), { prices: 't', results: 'n' });
    expect(tables(both)).toContain('both tables provisioned, autoscaled to 50 %');
    expect(tables(both)).toContain('| line group (eu-central-1, provisioned)');
    expect(tables(none)).toContain('both tables on demand. The on-demand columns are the bill.');
    expect(tables(mixed)).toContain('| line group (eu-central-1, on-demand)');
  });

  it("prices the provisioned tables' minimum capacity where a small fleet's load is below it", () => {
    // Arrange: cdk.json's shape; the licensing table has 1 index, the support table 2
    const w = defaultWorkload();
    const bounds = { read: { min: 5, max: 100 }, write: { min: 10, max: 100 } };
    const deployed = tableCapacityFrom(
      {
        context: {
          ucx: {
            tableCapacity: {
              licensing: { mode: 'provisioned', ...bounds },
              support: { mode: 'provisioned', ...bounds },
            },
          },
        },
      },
      w,
    );
    const floor = (n: number, mode: 'on-demand' | 'provisioned') =>
      line(monthlyCost(n, deployed, eu, mode), 'DynamoDB provisioned minimums').usd;
    // Assert
    expect(deployed.provisionedFloor).toEqual({ rcu: 25, wcu: 30, rwcu: 20, tablesAndIndexes: 5 });
    expect(floor(100, 'provisioned')).toBeGreaterThan(0);
    // with next to no load (each line still holds its one unit), nearly the whole floor: 25 RCU, 30 WCU, 20 replicated WCU
    const idle = {
      ...deployed,
      cycleSeconds: 1e12,
      otherRequestsPerMonth: 0,
      lastSeen: { everySeconds: 1e12, wruPerStamp: 1 },
    };
    const whole =
      (25 * eu.dynamoProvisionedRcuHour + 30 * eu.dynamoProvisionedWcuHour + 20 * eu.dynamoProvisionedRwcuHour) *
      HOURS_PER_MONTH;
    const idleFloor = line(monthlyCost(1, idle, eu, 'provisioned'), 'DynamoDB provisioned minimums').usd;
    expect(idleFloor).toBeLessThanOrEqual(whole);
    expect(idleFloor).toBeGreaterThan(0.7 * whole);
    expect(floor(1_000_000, 'provisioned')).toBe(0);
    expect(floor(100, 'on-demand')).toBe(0);
    expect(() =>
      tableCapacityFrom({ context: { ucx: { tableCapacity: { orders: { mode: 'provisioned', ...bounds } } } } }, w),
    ).toThrow(/no such table/);
  });

  it('writes both regions and both modes, and the tables between the document markers', () => {
    const report = costReport(defaultWorkload(), prices.regions, [10_000, 1_000_000]);
    const text = costTables(report, { prices: 'test', results: 'none' });
    for (const head of [
      'us-east-1 on-demand',
      'us-east-1 provisioned',
      'eu-central-1 on-demand',
      'eu-central-1 provisioned',
    ])
      expect(text).toContain(head);
    expect(text).toContain('2,922 requests per installation-month');
    expect(withCostTables('a\n<!-- cost:start -->\nold\n<!-- cost:end -->\nb', 'new')).toBe(
      'a\n<!-- cost:start -->\nnew\n<!-- cost:end -->\nb',
    );
    expect(() => withCostTables('no markers', 'x')).toThrow(/markers/);
  });
});

describe('the cost at another cycle', () => {
  const w = defaultWorkload();

  it('is the same workload at its own cycle', () => {
    expect(monthlyCost(1e6, atCycle(w, w.cycleSeconds), eu).total).toBeCloseTo(monthlyCost(1e6, w, eu).total, 6);
  });

  it('sends the same beats in more, smaller posts, each post costing what one measured at the default did', () => {
    const third = atCycle(w, w.cycleSeconds / 3);
    expect(requestsPerInstallationMonth(third)).toBeCloseTo(3 * (requestsPerInstallationMonth(w) - 2) + 2);
    expect(third.beatsPerBatch * 3).toBeCloseTo(w.beatsPerBatch);
    expect(third.recordBytesPerBatch * 3).toBeCloseTo(w.recordBytesPerBatch);
    expect(third.lambda.ingest).toEqual(w.lambda.ingest);
    expect(third.rulesStore).toEqual(w.rulesStore);
    // the archiver's CPU is per beat: an invocation of three times the (smaller) records costs the same
    expect(third.archive.batchesPerInvocation).toBe(3 * w.archive.batchesPerInvocation);
    expect(third.lambda.archive.cpuMs).toBeCloseTo(w.lambda.archive.cpuMs);
    const [a, b] = [monthlyCost(1e6, w, eu), monthlyCost(1e6, third, eu)];
    expect(line(b, 'API Gateway HTTP API requests').usd).toBeGreaterThan(
      2.9 * line(a, 'API Gateway HTTP API requests').usd,
    );
    expect(line(b, 'S3 raw storage (7 d)').usd).toBeCloseTo(line(a, 'S3 raw storage (7 d)').usd);
  });

  it('lists every cycle a licence can carry, with who is told it (cadence.ts)', () => {
    const cycles = cyclesOfCare();
    expect(cycles.map((c) => c.cycleSeconds)).toEqual(
      [...new Set([defaultCycleSeconds, ...Object.values(careCycleSeconds)])]
        .sort((x, y) => y - x)
        .concat(minimumCycleSeconds),
    );
    expect(cycles[0]!.who).toMatch(/^no Care/);
    for (const level of Object.keys(careCycleSeconds))
      expect(cycles.some((c) => c.who.toLowerCase().includes(level))).toBe(true);
  });

  it("prices each cycle in the tables, the default's row the same as the total, support's shortest per day", () => {
    const report = costReport(w, prices.regions, [1_000_000]);
    const text = costTables(report, { prices: 'test', results: 'none' });
    const total = perInstallationOf(report.runs['eu-central-1']!['on-demand'][0]!);
    const row = text.split('\n').find((l) => l.startsWith(`| ${defaultCycleSeconds / 60} min`))!;
    expect(row).toContain(total);
    expect(text).toMatch(new RegExp(`\\| ${minimumCycleSeconds / 60} min .*\\+\\$0\\.\\d+ a day`));
  });
});

const perInstallationOf = (r: CostResult) => `$${r.perInstallation.toFixed(5)}`;

describe('the access log line the model prices', () => {
  it("is a telemetry post's line in the deployed format, with CloudWatch's 26 bytes an event on top", () => {
    // the deployed format (lib/api-access-log.ts) with a post's values, written out by hand
    const line =
      '{"requestId":"JjSyjhJcoAMEVQw=","ip":"203.0.113.254","routeKey":"POST /v1/installations/{id}/telemetry",' +
      '"status":"202","protocol":"HTTP/1.1","responseLength":"187","latencyMs":"34","integrationError":"-"}';

    expect(accessLogLineBytes()).toBe(line.length);
    expect(defaultWorkload().accessLogBytesPerRequest).toBe(line.length + 26);
    // a field the model has no typical value for stops it, rather than pricing it at nothing
    expect(() => accessLogLineBytes({ userAgent: '$context.identity.userAgent' })).toThrow(/userAgent/);
  });
});
