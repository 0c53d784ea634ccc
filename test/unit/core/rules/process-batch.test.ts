import { rule as expressCap } from '#lambdas/core/rules/catalogue/db-express-cap';
import type { BatchBeat, FindingNotification, FindingRecord } from '#lambdas/core/rules/engine';
import { evaluateInstallationBatch, type RulesDeps } from '#lambdas/core/rules/process-batch';
import { StateConflict, type SnapshotRecord, type StateCommit, type SupportStore } from '#lambdas/core/rules/ports';
import { emptyState, type InstallationState } from '#lambdas/core/rules/state';
import { beatAt, HOUR, licenceFacts, T0 } from '#test/support/rules-harness';

const GIB = 1024 ** 3;

class MemoryStore implements SupportStore {
  state: InstallationState | undefined;
  findings = new Map<string, FindingRecord>();
  snapshots = new Map<string, SnapshotRecord>();
  commits = 0;
  conflictOnce = false;
  async getState() {
    return this.state;
  }
  async commit(c: StateCommit) {
    if (this.conflictOnce) {
      this.conflictOnce = false;
      // another writer (the sweep) got there first, with state that has not seen these beats
      this.state = {
        ...emptyState(c.state.installationId, c.state.accountId),
        version: (this.state?.version ?? 0) + 1,
      };
      throw new StateConflict(c.state.installationId);
    }
    if ((this.state?.version ?? 0) !== c.expectedVersion) throw new StateConflict(c.state.installationId);
    this.commits++;
    this.state = { ...c.state, version: c.expectedVersion + 1 };
    for (const f of c.findings) this.findings.set(f.findingId, f);
    for (const s of c.snapshots) this.snapshots.set(s.type, s);
  }
}

function world(careLevel: 'gold' | 'basic' = 'gold') {
  const store = new MemoryStore();
  const published: FindingNotification[] = [];
  const deps: RulesDeps = {
    store,
    bus: { publish: async (n) => void published.push(...n) },
    licences: { factsFor: async (id) => (id === 'inst_rules0000000001' ? licenceFacts({ careLevel }) : undefined) },
    rules: [expressCap],
  };
  return { store, published, deps };
}

const batch = (): BatchBeat[] => [
  {
    ...beatAt('ucx.database_server', T0, { edition: 'Express Edition', version: '16.0.1' }),
    shardId: 's-0',
    sequenceNumber: '1',
  },
  { ...beatAt('ucx.database', T0 + HOUR, { name: 'UCX', sizeBytes: 8.5 * GIB }), shardId: 's-0', sequenceNumber: '2' },
];

describe('evaluateInstallationBatch', () => {
  it('reads once, writes once, stores the finding and the newest snapshot per type, and notifies a Gold account', async () => {
    const { store, published, deps } = world('gold');

    const outcome = await evaluateInstallationBatch(deps, 'inst_rules0000000001', batch(), T0 + HOUR);

    expect(outcome).toMatchObject({ evaluated: 2, findings: 1 });
    expect(store.commits).toBe(1);
    expect([...store.findings.values()]).toEqual([expect.objectContaining({ severity: 'warning', status: 'open' })]);
    expect([...store.snapshots.keys()].sort()).toEqual(['ucx.database', 'ucx.database_server']);
    expect(published.map((n) => n.kind)).toEqual(['opened']);
  });

  it('leaves findings and state unchanged when the same batch is replayed', async () => {
    const { store, deps } = world();
    const beats = batch();
    await evaluateInstallationBatch(deps, 'inst_rules0000000001', beats, T0 + HOUR);
    const before = { state: store.state, findings: [...store.findings.values()] };

    const replay = await evaluateInstallationBatch(deps, 'inst_rules0000000001', beats, T0 + HOUR);

    expect(replay).toMatchObject({ evaluated: 0, skipped: 2 });
    expect(store.commits).toBe(1);
    expect(store.state).toEqual(before.state);
    expect([...store.findings.values()]).toEqual(before.findings);
  });

  it('reads again and re-evaluates when another write came first', async () => {
    const { store, deps } = world();
    store.conflictOnce = true;

    const outcome = await evaluateInstallationBatch(deps, 'inst_rules0000000001', batch(), T0 + HOUR);

    expect(outcome.findings).toBe(1);
    expect(store.commits).toBe(1);
  });

  it('notifies nothing for a Basic account and ignores beats of unknown installations', async () => {
    const basic = world('basic');
    const unknown = world();

    await evaluateInstallationBatch(basic.deps, 'inst_rules0000000001', batch(), T0 + HOUR);
    const ignored = await evaluateInstallationBatch(unknown.deps, 'inst_gone00000000000', batch(), T0 + HOUR);

    expect(basic.published).toEqual([]);
    expect([...basic.store.findings.values()][0]).toMatchObject({ audience: 'support' });
    expect(ignored).toMatchObject({ ignored: true, evaluated: 0 });
    expect(unknown.store.commits).toBe(0);
  });
});

describe('a rules Lambda crash mid-batch', () => {
  it('neither loses nor doubles a finding when the batch is retried, and repeats notifications with the same ids', async () => {
    const { store, published, deps } = world('gold');
    const beats = batch();
    const commit = store.commit.bind(store);
    let crashes = 1;
    store.commit = async (c) => {
      if (crashes-- > 0) throw new Error('Runtime exited: the container died after publishing, before writing');
      return commit(c);
    };

    await expect(evaluateInstallationBatch(deps, 'inst_rules0000000001', beats, T0 + HOUR)).rejects.toThrow(
      /Runtime exited/,
    );
    const retried = await evaluateInstallationBatch(deps, 'inst_rules0000000001', beats, T0 + HOUR);
    const replayed = await evaluateInstallationBatch(deps, 'inst_rules0000000001', beats, T0 + HOUR);

    expect(retried.findings).toBe(1);
    expect(replayed.evaluated).toBe(0);
    expect([...store.findings.values()]).toHaveLength(1);
    expect(published).toHaveLength(2);
    expect(new Set(published.map((n) => n.eventId)).size).toBe(1);
  });
});
