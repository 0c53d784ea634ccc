import { billedMs, HOURS_PER_MONTH, monthlyCost, tiered } from '../../../bench/cost-model';
import { defaultWorkload, workloadFrom } from '../../../bench/cost';
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
    const fixed = (r: typeof small) => r.components.filter((c) => /metrics|KMS/.test(c.component)).reduce((a, c) => a + c.usd, 0);
    const ratio = (large.total - fixed(large)) / ((small.total - fixed(small)) * 100);
    expect(ratio).toBeGreaterThan(0.97); // API Gateway's cheaper tier above 300 M requests
    expect(ratio).toBeLessThanOrEqual(1);
  });

  it('takes measured figures from bench/results.json', () => {
    const { workload, measured } = workloadFrom({
      handlers: {
        poll: { handlerCpuMs: 2, logBytes: 100 },
        ingest: { handlerCpuMsPerBatch: 9, beatsPerBatch: 40, recordBytesPerBeat: 3000, batchGzipBytes: 20_000, logBytes: 900 },
      },
      rules: { cpuMsPerBatch: 3, stateBytes: 8000 },
    });
    expect(workload.lambda.poll.cpuMs).toBe(2);
    expect(workload.beatsPerBatch).toBe(40);
    expect(workload.archiveBytesPerBeat).toBe(500);
    expect(workload.lambda.rules.cpuMs).toBeCloseTo(3 * (500 / 40));
    expect(workload.ruleStateBytes).toBe(8000);
    expect(measured).toHaveLength(3);
  });
});
