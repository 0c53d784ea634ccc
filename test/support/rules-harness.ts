/**
 * Drives one rule (or several) through the real engine, beat after beat, as the rules Lambda would
 * batch after batch, and records what each step opened, escalated or resolved.
 *
 *   const run = runRule(rule, [beatAt('ucx.database', t0, data), beatAt(...), tickAt(t1)]);
 *   expect(run.steps[0].changes).toEqual([{ kind: 'opened', subject: 'UCX', severity: 'warning' }]);
 *   expect(run.open()).toHaveLength(1);
 */
import { randomUUID } from 'node:crypto';
import { evaluateInstallation, type FindingRecord } from '#lambdas/core/rules/engine';
import type { InstallationOutcome } from '#lambdas/core/rules/process-batch';
import type { LicenceFacts, Rule } from '#lambdas/core/rules/rule';
import type { InstallationState } from '#lambdas/core/rules/state';
import type { Beat, BeatData, BeatType } from '#lambdas/core/telemetry/catalogue';
import { validBeat } from '#test/support/telemetry-fixtures';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const T0 = Date.parse('2026-03-02T09:00:00.000Z');

export function licenceFacts(overrides: Partial<LicenceFacts> = {}): LicenceFacts {
  return {
    installationId: 'inst_rules0000000001',
    accountId: 'acc_rules0000000001',
    careLevel: 'gold',
    products: [
      {
        product: 'attendant-console',
        capacity: 10,
        kind: 'perpetual',
        care: { level: 'gold', expiresAt: new Date(T0 + 365 * DAY).toISOString() },
      },
      {
        product: 'call-recording',
        capacity: 10,
        kind: 'perpetual',
        care: { level: 'gold', expiresAt: new Date(T0 + 365 * DAY).toISOString() },
      },
      {
        product: 'ivr',
        capacity: 10,
        kind: 'perpetual',
        care: { level: 'gold', expiresAt: new Date(T0 + 365 * DAY).toISOString() },
      },
    ],
    activatedNodes: ['UCX-NODE-1'],
    telemetryEnabled: true,
    ...overrides,
  };
}

export type Step = { beat: Beat } | { tick: number };

/** A valid beat of `type` collected at `at`, its data replaced by `data` (merged over the fixture's). */
export function beatAt<T extends BeatType>(type: T, at: number, data: Partial<BeatData<T>> = {}): { beat: Beat } {
  const base = validBeat(type);
  return {
    beat: {
      ...base,
      id: randomUUID(),
      collectedAt: new Date(at).toISOString(),
      data: { ...base.data, ...data },
    } as Beat,
  };
}

export const tickAt = (now: number): Step => ({ tick: now });

/** An installation's outcome of a batch: one beat evaluated, nothing found. */
export const evaluatedOutcome = (installationId: string): InstallationOutcome => ({
  installationId,
  evaluated: 1,
  skipped: 0,
  findings: 0,
  notifications: [],
  changes: [],
});

export interface StepResult {
  readonly changes: { kind: string; subject: string; severity: string; ruleId: string }[];
  readonly findings: readonly FindingRecord[];
}

export interface RuleRun {
  readonly steps: StepResult[];
  readonly state: InstallationState | undefined;
  /** the findings open after the last step, latest record of each */
  open(): FindingRecord[];
  /** every change of every step, flattened */
  changes(): StepResult['changes'];
}

export function runRule(
  rules: Rule | readonly Rule[],
  steps: readonly Step[],
  options: { licence?: LicenceFacts; overrides?: Record<string, unknown>; state?: InstallationState } = {},
): RuleRun {
  const list = Array.isArray(rules) ? (rules as readonly Rule[]) : [rules as Rule];
  const licence = options.licence ?? licenceFacts();
  let state = options.state;
  let sequence = 1000;
  const results: StepResult[] = [];
  const latest = new Map<string, FindingRecord>();
  for (const step of steps) {
    const beats =
      'beat' in step ? [{ beat: step.beat, shardId: 'shardId-000000000000', sequenceNumber: String(sequence++) }] : [];
    const now = 'beat' in step ? Date.parse(step.beat.collectedAt) : step.tick;
    const out = evaluateInstallation({
      state,
      rules: list,
      licence,
      beats,
      now,
      ...(options.overrides ? { overrides: options.overrides } : {}),
    });
    state = out.state;
    for (const f of out.findings) latest.set(f.findingId, f);
    results.push({
      findings: out.findings,
      changes: out.findings.map((f) => ({
        kind: f.history[f.history.length - 1]!.event,
        subject: f.subject,
        severity: f.severity,
        ruleId: f.ruleId,
      })),
    });
  }
  return {
    steps: results,
    state,
    open: () => [...latest.values()].filter((f) => f.status === 'open'),
    changes: () => results.flatMap((r) => r.changes),
  };
}
