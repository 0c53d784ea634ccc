/**
 * Rules engine throughput: all 28 rules, `evaluateInstallation` in process, as the rules Lambda
 * calls it per installation and batch: many installations, each sending its 5-minute batches
 * (five rounds of counters with ~200 processes, inventory in the first), state carried from one
 * batch to the next. Beats per second per core = beats ÷ CPU seconds.
 */
import { allRules } from '../lambdas/core/rules/catalogue';
import { evaluateInstallation, type BatchBeat } from '../lambdas/core/rules/engine';
import type { InstallationState } from '../lambdas/core/rules/state';
import { licenceFacts } from '../test/support/rules-harness';
import type { Row } from './stats';
import { cpuMs, median } from './stats';
import { telemetryBatch } from './workload';

export interface RulesMeasures {
  beatsPerSecondPerCore: number;
  installations: number;
  batches: number;
  beats: number;
  cpuMsPerBatch: number;
  rules: number;
  /** mean size of an installation's rules state as JSON (the item the rules Lambda writes per batch) */
  stateBytes: number;
}

export async function measureRules(opts: { installations: number; batches: number; warmupBatches: number }): Promise<RulesMeasures> {
  const start = Date.parse('2026-11-02T00:00:00.000Z');
  const FIVE_MIN = 5 * 60_000;
  const fleet = Array.from({ length: opts.installations }, (_, i) => ({
    licence: licenceFacts({ installationId: `inst_bench${String(i).padStart(10, '0')}`, accountId: `acc_bench${String(i).padStart(11, '0')}` }),
    state: undefined as InstallationState | undefined,
    seq: 1_000_000,
  }));
  const total = opts.batches + opts.warmupBatches;
  const perRoundCpu: number[] = [];
  let beats = 0;
  for (let b = 0; b < total; b++) {
    // Batches are built before the measured window.
    const batches: BatchBeat[][] = [];
    for (let i = 0; i < fleet.length; i++) {
      const list = await telemetryBatch({ seed: i * 7919 + b + 1, start: start + b * FIVE_MIN, inventory: b % 12 === 0 });
      batches.push(list.map((beat) => ({ beat, shardId: 'shardId-000000000000', sequenceNumber: String(fleet[i]!.seq++) })));
    }
    let count = 0;
    const ms = await cpuMs(async () => {
      for (let i = 0; i < fleet.length; i++) {
        const installation = fleet[i]!;
        const out = evaluateInstallation({
          state: installation.state,
          rules: allRules,
          licence: installation.licence,
          beats: batches[i]!,
          now: start + (b + 1) * FIVE_MIN,
        });
        installation.state = out.state;
        count += out.evaluated;
      }
    });
    if (b >= opts.warmupBatches) {
      perRoundCpu.push(ms / count);
      beats += count;
    }
  }
  const msPerBeat = median(perRoundCpu);
  const stateBytes = fleet.reduce((a, f) => a + Buffer.byteLength(JSON.stringify(f.state)), 0) / fleet.length;
  return {
    beatsPerSecondPerCore: 1000 / msPerBeat,
    installations: opts.installations,
    batches: opts.batches,
    beats,
    cpuMsPerBatch: msPerBeat * (beats / (opts.batches * opts.installations)),
    rules: allRules.length,
    stateBytes,
  };
}

export const rulesRow = (m: RulesMeasures): Row => ({
  name: 'rules engine: beats/s per core',
  value: m.beatsPerSecondPerCore,
  unit: '',
  goal: { op: '>=', value: 20_000, unit: '' },
  detail: `${m.rules} rules, ${m.installations} installations × ${m.batches} batches, ${m.beats} beats; ${m.cpuMsPerBatch.toFixed(2)} ms CPU per batch; state ${(m.stateBytes / 1024).toFixed(1)} KB`,
});
