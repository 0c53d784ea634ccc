import type { RulesDeps } from '#lambdas/core/rules/process-batch';
import {
  EVALUATIONS_AT_ONCE,
  evaluateStreamBatch,
  groupByInstallation,
  MAX_SILENT_PER_RUN,
  SILENT_AFTER_MS,
  settleEvaluations,
  sweepSilentInstallations,
  type StreamBatchBeat,
  type SweepDeps,
} from '#lambdas/core/rules/evaluate-installations';
import type { StateCommit } from '#lambdas/core/rules/ports';
import { SILENT_SUPPORT_DATA_DAYS } from '#lambdas/core/accounts/retention';
import { minuteTier } from '#lambdas/core/history/tiers';
import { allRules } from '#lambdas/core/rules/catalogue/index';
import { emptyState } from '#lambdas/core/rules/state';
import { MemoryHistoryStore } from '#test/support/memory-history-store';
import { beatAt, evaluatedOutcome, HOUR, licenceFacts, T0 } from '#test/support/rules-harness';

const beat = (installationId: string, sequenceNumber: string, at = T0): StreamBatchBeat => ({
  installationId,
  ...beatAt('ucx.database_server', at),
  shardId: 'shardId-000000000000',
  sequenceNumber,
});

/** Known installations evaluate against an in-memory store; `inst_broken…` has a licence source that fails. */
function world(silent: string[] = []) {
  const commits: StateCommit[] = [];
  const silentAsked: [number, number][] = [];
  const expireAsked: { before: number; at: number; commitsBefore: number }[] = [];
  const deps: SweepDeps = {
    store: {
      getState: async () => undefined,
      commit: async (c) => void commits.push(c),
    },
    silent: {
      silentSince: async (before, limit) => {
        silentAsked.push([before, limit]);
        return silent;
      },
      expireSilentRemains: async (before, at) => {
        expireAsked.push({ before, at, commitsBefore: commits.length });
        return 3;
      },
    },
    bus: { publish: async () => undefined },
    licences: {
      factsFor: async (id) => {
        if (id.startsWith('inst_broken')) throw new Error('licensing store down');
        return licenceFacts({ installationId: id });
      },
    },
    rules: [],
  };
  return { deps, commits, silentAsked, expireAsked };
}

describe('groupByInstallation', () => {
  it('groups beats per installation, in stream order', () => {
    const beats = [beat('inst_a', '1'), beat('inst_b', '2'), beat('inst_a', '3')];

    const groups = groupByInstallation(beats);

    expect([...groups.keys()]).toEqual(['inst_a', 'inst_b']);
    expect(groups.get('inst_a')!.map((b) => b.sequenceNumber)).toEqual(['1', '3']);
  });
});

describe('settleEvaluations', () => {
  it('keeps the outcomes and names each record of a failed installation once, however many beats it carried', () => {
    const error = new Error('boom');
    const groups = [
      ['inst_ok', [beat('inst_ok', '1')]],
      ['inst_failed', [beat('inst_failed', '2'), beat('inst_failed', '2'), beat('inst_failed', '4')]],
    ] as const;

    const result = settleEvaluations(groups, [
      { status: 'fulfilled', value: evaluatedOutcome('inst_ok') },
      { status: 'rejected', reason: error },
    ]);

    expect(result.outcomes).toEqual([evaluatedOutcome('inst_ok')]);
    expect(result.failures).toEqual([{ installationId: 'inst_failed', error, sequenceNumbers: ['2', '4'] }]);
  });

  it('refuses a group without a settled evaluation rather than losing its records', () => {
    const groups = [['inst_a', [beat('inst_a', '1')]]] as const;

    expect(() => settleEvaluations(groups, [])).toThrow(/inst_a/);
  });
});

describe('evaluateStreamBatch', () => {
  it('evaluates each installation once, and one that fails does not fail the others', async () => {
    const { deps, commits } = world();
    const beats = [beat('inst_ok', '1'), beat('inst_broken', '2'), beat('inst_ok', '3', T0 + HOUR)];

    const result = await evaluateStreamBatch(deps, beats, T0 + HOUR);

    expect(result.outcomes).toEqual([expect.objectContaining({ installationId: 'inst_ok', evaluated: 2 })]);
    expect(result.failures).toEqual([
      { installationId: 'inst_broken', error: new Error('licensing store down'), sequenceNumbers: ['2'] },
    ]);
    expect(commits.map((c) => c.state.installationId)).toEqual(['inst_ok']);
  });

  it('evaluates at most EVALUATIONS_AT_ONCE installations at a time, every one of them', async () => {
    const { deps } = world();
    let inFlight = 0;
    let most = 0;
    const slow: RulesDeps = {
      ...deps,
      store: {
        ...deps.store,
        getState: async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          return undefined;
        },
      },
    };
    const beats = Array.from({ length: 3 * EVALUATIONS_AT_ONCE + 1 }, (_, i) => beat(`inst_${i}`, String(i)));

    const result = await evaluateStreamBatch(slow, beats, T0);

    expect(result.outcomes).toHaveLength(beats.length);
    expect(most).toBe(EVALUATIONS_AT_ONCE);
  });

  it('tells the history where the previous request ended from the state read, so only the first batch Queries it', async () => {
    const { deps, commits } = world();
    const history = new MemoryHistoryStore();
    const blockBefore = jest.spyOn(history, 'blockBefore');
    const stateful: RulesDeps = { ...deps, store: { ...deps.store, getState: async () => commits.at(-1)?.state } };
    const ivr = (sequenceNumber: string, minute: number): StreamBatchBeat => ({
      installationId: 'inst_hist',
      ...beatAt('ucx.ivr', T0 + minute * 60_000, { activeCalls: 1 }),
      shardId: 'shardId-000000000000',
      sequenceNumber,
    });

    await evaluateStreamBatch({ ...stateful, history }, [ivr('1', 0), ivr('1', 1)], T0 + 2 * 60_000);
    await evaluateStreamBatch({ ...stateful, history }, [ivr('2', 15), ivr('2', 16)], T0 + 17 * 60_000);

    expect(blockBefore).toHaveBeenCalledTimes(1);
    expect(history.items.size).toBe(2);
  });
});

describe('evaluateStreamBatch history writes', () => {
  const ivr = (installationId: string, sequenceNumber: string, minute: number): StreamBatchBeat => ({
    installationId,
    ...beatAt('ucx.ivr', T0 + minute * 60_000, { activeCalls: 1 }),
    shardId: 'shardId-000000000000',
    sequenceNumber,
  });

  it("writes every installation's 1-minute blocks of a batch in one putMany, none one by one", async () => {
    const { deps } = world();
    const history = new MemoryHistoryStore();
    const one = jest.spyOn(history, 'putBlocks');

    const result = await evaluateStreamBatch(
      { ...deps, history },
      ['inst_a', 'inst_b', 'inst_c'].map((id, i) => ivr(id, String(i), 0)),
      T0 + 60_000,
    );

    expect(result.failures).toEqual([]);
    expect(history.manyCalls).toBe(1);
    expect(history.items.size).toBe(3);
    // putMany writes through putBlocks in memory: three calls from it, none from recordHistory
    expect(one).toHaveBeenCalledTimes(3);
  });

  it('fails only the installation whose blocks were not written, naming its records for the retry', async () => {
    const { deps, commits } = world();
    const history = new MemoryHistoryStore();
    const busy = new Error('partition busy');
    history.failing.set('inst_b', busy);

    const result = await evaluateStreamBatch(
      { ...deps, history },
      [ivr('inst_a', '1', 0), ivr('inst_b', '2', 0), ivr('inst_b', '3', 1)],
      T0 + 2 * 60_000,
    );

    expect(result.outcomes.map((o) => o.installationId)).toEqual(['inst_a']);
    expect(result.failures).toEqual([{ installationId: 'inst_b', error: busy, sequenceNumbers: ['2', '3'] }]);
    // its state was written (the retry skips the beats by the checkpoint, the history is written again)
    expect(commits.map((c) => c.state.installationId).sort()).toEqual(['inst_a', 'inst_b']);
    expect(history.of('inst_a', minuteTier)).toHaveLength(1);
    expect(history.of('inst_b', minuteTier)).toHaveLength(0);
  });
});

describe('sweepSilentInstallations', () => {
  it('evaluates each installation silent for longer than the threshold, with no beats', async () => {
    const { deps, commits, silentAsked } = world(['inst_quiet', 'inst_broken']);

    const result = await sweepSilentInstallations(deps, T0);

    expect(silentAsked).toEqual([[T0 - SILENT_AFTER_MS, MAX_SILENT_PER_RUN]]);
    expect(result.silent).toBe(2);
    expect(result.outcomes).toEqual([expect.objectContaining({ installationId: 'inst_quiet', evaluated: 0 })]);
    expect(result.failures).toEqual([expect.objectContaining({ installationId: 'inst_broken', sequenceNumbers: [] })]);
    expect(commits.map((c) => c.state.installationId)).toEqual(['inst_quiet']);
  });

  it('writes nothing and raises no finding for a candidate that is not silent yet (the index keys on 3 hours), and opens one for a silent one', async () => {
    // Arrange: two installations the index lists, one that beat 2½ hours ago, one 3½ hours ago,
    // evaluated with the whole catalogue
    const now = T0 + 24 * HOUR;
    const stateOf = (id: string, silentFor: number) => ({
      ...emptyState(id, 'acc_rules0000000001'),
      version: 7,
      lastBeatAt: now - silentFor,
    });
    const states = new Map([
      ['inst_recent', stateOf('inst_recent', 2.5 * HOUR)],
      ['inst_silent', stateOf('inst_silent', 3.5 * HOUR)],
    ]);
    const { deps, commits } = world(['inst_recent', 'inst_silent']);
    const published: unknown[] = [];
    const swept: SweepDeps = {
      ...deps,
      rules: allRules,
      bus: { publish: async (n) => void published.push(...n) },
      store: { ...deps.store, getState: async (id) => states.get(id) },
    };

    // Act
    const result = await sweepSilentInstallations(swept, now);

    // Assert: the recent one as it was; the silent one's telemetry-silent finding opened
    const recent = result.outcomes.find((o) => o.installationId === 'inst_recent');
    expect(recent).toMatchObject({ evaluated: 0, findings: 0, notifications: [], changes: [] });
    expect(commits.map((c) => c.state.installationId)).toEqual(['inst_silent']);
    expect(commits[0]!.findings).toEqual([
      expect.objectContaining({ ruleId: 'telemetry-silent', severity: 'warning', status: 'open' }),
    ]);
    expect(published).toHaveLength(1);
  });

  it('then gives what has no expiry of installations silent for 90 days the expiry of their state, after evaluating them', async () => {
    const { deps, expireAsked } = world(['inst_quiet']);

    const result = await sweepSilentInstallations(deps, T0);

    expect(expireAsked).toEqual([{ before: T0 - SILENT_SUPPORT_DATA_DAYS * 86_400_000, at: T0, commitsBefore: 1 }]);
    expect(result.expired).toBe(3);
  });
});
