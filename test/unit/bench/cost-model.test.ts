import { billedMs, HOURS_PER_MONTH, monthlyCost, tiered } from '#bench/cost-model';
import { archiveLifecycleFrom, defaultWorkload, workloadFrom } from '#bench/cost';
import prices from '../../../bench/prices.json';

const us = prices.regions['us-east-1'];

describe('cost model', () => {
  it('stretches CPU time by the memory share of a vCPU and adds I/O waits', () => {
    expect(billedMs({ memoryMb: 1769, cpuMs: 10, ioMs: 5 })).toBe(15);
    expect(billedMs({ memoryMb: 3538, cpuMs: 10, ioMs: 5 })).toBe(15); // no faster than one core
    expect(billedMs({ memoryMb: 256, cpuMs: 1, ioMs: 5 })).toBe(Math.ceil(1769 / 256 + 5));
  });

  it('prices API Gateway requests by tier', () => {
    expect(tiered(us.apiGatewayHttpPerMillion, 100)).toBeCloseTo(100);
    expect(tiered(us.apiGatewayHttpPerMillion, 400)).toBeCloseTo(300 * 1.0 + 100 * 0.9);
  });

  it('counts the agent cadence: polls every 15 minutes and a batch every 5, per installation', () => {
    const w = defaultWorkload();
    const result = monthlyCost(1000, w, us);
    const api = result.components.find((c) => c.component === 'API Gateway HTTP API')!;
    expect(api.usd).toBeCloseTo((1000 * 16 * HOURS_PER_MONTH) / 1e6);
    expect(result.total).toBeCloseTo(result.components.reduce((a, c) => a + c.usd, 0));
    expect(result.perInstallation).toBeCloseTo(result.total / 1000);
    for (const c of result.components) expect(Number.isFinite(c.usd)).toBe(true);
  });

  it('scales with installations, apart from the fixed parts and volume tiers', () => {
    const w = defaultWorkload();
    const small = monthlyCost(10_000, w, us);
    const large = monthlyCost(1_000_000, w, us);
    const fixed = (r: typeof small) =>
      r.components.filter((c) => /metrics|KMS/.test(c.component)).reduce((a, c) => a + c.usd, 0);
    const ratio = (large.total - fixed(large)) / ((small.total - fixed(small)) * 100);
    expect(ratio).toBeGreaterThan(0.97); // API Gateway's cheaper tier above 300 M requests
    expect(ratio).toBeLessThanOrEqual(1);
  });

  it('takes measured figures from bench/results.json', () => {
    const { workload, measured } = workloadFrom({
      handlers: {
        poll: { handlerCpuMs: 2, logBytes: 100 },
        ingest: {
          handlerCpuMsPerBatch: 9,
          beatsPerBatch: 40,
          recordsPerBatch: 1,
          recordBytesPerBatch: 24_000,
          batchGzipBytes: 20_000,
          logBytes: 900,
        },
      },
      archive: { bytesPerBeat: 300, cpuMsPerBatch: 2, recordsPerInvocation: 201, objectsPerInvocation: 1 },
      rules: {
        cpuMsPerBatch: 3,
        stateBytes: 800,
        writeUnitsPerBatch: 4.5,
        readUnitsPerBatch: 1.5,
        storedBytesPerInstallation: 9000,
      },
    });
    expect(workload.lambda.poll.cpuMs).toBe(2);
    expect(workload.beatsPerBatch).toBe(40);
    expect(workload.recordBytesPerBatch).toBe(24_000);
    expect(workload.archive.batchesPerInvocation).toBe(201); // measured, not 6 MB ÷ record bytes
    expect(workload.archive.objectsPerInvocation).toBe(1);
    expect(workload.archiveBytesPerBeat).toBe(300);
    expect(workload.lambda.archive.cpuMs).toBe(2 * workload.archive.batchesPerInvocation);
    expect(workload.lambda.rules.cpuMs).toBeCloseTo(3 * workload.rules.batchesPerInvocation);
    expect(workload.rulesStore).toEqual({ wruPerBatch: 4.5, rruPerBatch: 1.5, storedBytes: 9000 });
    expect(measured).toHaveLength(4);
  });

  it('prices the rules store from a steady installation when the bench measured one', () => {
    const { workload } = workloadFrom({
      rules: {
        cpuMsPerBatch: 3,
        writeUnitsPerBatch: 34.8,
        readUnitsPerBatch: 1,
        steady: { writeUnitsPerBatch: 3.5, readUnitsPerBatch: 1 },
      },
    });
    expect(workload.rulesStore.wruPerBatch).toBe(3.5);
  });

  it('pays Kinesis PUT units per 25 KB record, so one record per batch beats one per beat', () => {
    const perBatch = defaultWorkload();
    const perBeat = { ...defaultWorkload(), recordsPerBatch: 50, recordBytesPerBatch: 50 * 3300 };
    const kinesis = (w: typeof perBatch) =>
      monthlyCost(1_000_000, w, us).components.find((c) => c.component === 'Kinesis (provisioned)')!;

    expect(kinesis(perBatch).driver).toContain(
      `${((1_000_000 * 12 * HOURS_PER_MONTH) / 1e6).toLocaleString('en-US')} M PUT units`,
    );
    expect(kinesis(perBeat).usd).toBeGreaterThan(5 * kinesis(perBatch).usd);
  });

  it("counts the sampled last-poll stamp in every replica, and the rules consumer's write units per batch", () => {
    const base = { ...defaultWorkload(), rulesStore: { wruPerBatch: 0.5, rruPerBatch: 1, storedBytes: 1000 } };
    const writes = (w: typeof base) =>
      monthlyCost(1000, w, us).components.find((c) => c.component === 'DynamoDB writes (on-demand)')!.usd;
    const batches = 1000 * 12 * HOURS_PER_MONTH;
    const stamps = 1000 * HOURS_PER_MONTH * base.lastPoll.wruPerStamp * 2;

    expect(writes(base)).toBeCloseTo(((batches * 0.5 + stamps) / 1e6) * us.dynamoWritePerMillionWru);
    expect(writes({ ...base, lastPoll: { stampsPerHour: 0, wruPerStamp: 3 } })).toBeCloseTo(
      ((batches * 0.5) / 1e6) * us.dynamoWritePerMillionWru,
    );
  });

  it("counts the account item read beside the installation by every poll and batch (an account-wide change's cost)", () => {
    const base = defaultWorkload();
    const reads = (w: typeof base) =>
      monthlyCost(1000, w, us).components.find((c) => c.component === 'DynamoDB reads (on-demand)')!.usd;
    const requests = 1000 * (base.pollsPerHour + base.batchesPerHour) * HOURS_PER_MONTH;

    expect(reads(base) - reads({ ...base, accountTermsRru: 0 })).toBeCloseTo(
      ((requests * 0.5) / 1e6) * us.dynamoReadPerMillionRru,
    );
  });

  it('writes far fewer log bytes when the hot paths sum their metrics per container', () => {
    const perRequest = { ...defaultWorkload(), metricsFlush: { seconds: 60, bytesPerFlush: 600, functions: [] } };
    const summed = defaultWorkload();
    const logs = (w: typeof summed) =>
      monthlyCost(1_000_000, w, us).components.find((c) => c.component === 'CloudWatch Logs')!.usd;

    expect(logs(summed)).toBeLessThan(logs(perRequest) / 20);
  });

  it('compares provisioned DynamoDB capacity with on-demand', () => {
    const result = monthlyCost(1_000_000, defaultWorkload(), us);
    const onDemand = result.components
      .filter((c) => /DynamoDB (reads|writes)/.test(c.component))
      .reduce((a, c) => a + c.usd, 0);

    expect(result.dynamoProvisioned).toBeGreaterThan(0);
    expect(result.dynamoProvisioned).toBeLessThan(onDemand); // steady traffic: provisioned is cheaper
  });

  it('follows the archive lifecycle the CDK app deploys, and a shorter retention costs less', () => {
    const w = archiveLifecycleFrom(
      { context: { ucx: { archive: { infrequentAccessDays: 30, glacierDays: 60, expireDays: 90 } } } },
      defaultWorkload(),
    );
    const storage = (x: typeof w) =>
      monthlyCost(10_000, x, us).components.find((c) => c.component.startsWith('S3 storage'))!.usd;

    expect(w.archive).toMatchObject({ standardDays: 30, iaDays: 60, glacierIrDays: 90 });
    expect(storage(w)).toBeLessThan(storage(defaultWorkload()));
  });
});
