/** The fleet overview: counters tallied from finding changes, open counts walked back day by day, noise, silence. */
import { ForbiddenError } from '#lambdas/core/errors';
import {
  dayOf,
  factsOfBeats,
  fleetOverview,
  tallyChanges,
  type Counts,
  type DayCounters,
  type FleetCounterStore,
  type FleetTally,
  type InstallationFacts,
} from '#lambdas/core/support/fleet-overview';
import { FixedClock, principals } from '#test/support/licensing-fixtures';
import { MemorySupportStore } from '#test/support/memory-support-store';

class MemoryFleetCounters implements FleetCounterStore {
  readonly days = new Map<string, DayCounters>();
  open: Counts = {};
  async add(day: string, tally: FleetTally) {
    const d = this.days.get(day) ?? { day, opened: {}, resolved: {}, net: {} };
    for (const field of ['opened', 'resolved', 'net'] as const)
      for (const [k, n] of Object.entries(tally[field])) d[field][k] = (d[field][k] ?? 0) + n;
    this.days.set(day, d);
    for (const [k, n] of Object.entries(tally.net)) this.open[k] = (this.open[k] ?? 0) + n;
  }
  readonly factsById = new Map<string, InstallationFacts>();
  async putFacts(facts: InstallationFacts) {
    const was = this.factsById.get(facts.installationId) ?? { installationId: facts.installationId };
    this.factsById.set(facts.installationId, {
      ...was,
      ...(facts.suiteAt !== undefined && !(was.suiteAt! >= facts.suiteAt)
        ? { suiteVersion: facts.suiteVersion, suiteAt: facts.suiteAt }
        : {}),
      ...(facts.editionAt !== undefined && !(was.editionAt! >= facts.editionAt)
        ? { sqlEdition: facts.sqlEdition, editionAt: facts.editionAt }
        : {}),
    });
  }
  async facts() {
    return [...this.factsById.values()];
  }
  async read(from: string, to: string) {
    return { days: [...this.days.values()].filter((d) => d.day >= from && d.day <= to), open: { ...this.open } };
  }
}

const DAY = 86_400_000;

describe('tallyChanges', () => {
  it('counts opened and resolved, and moves an escalated finding between severities', () => {
    const tally = tallyChanges([
      { kind: 'opened', ruleId: 'dns-single', severity: 'warning' },
      { kind: 'reopened', ruleId: 'dns-single', severity: 'warning' },
      { kind: 'escalated', ruleId: 'db-express-cap', severity: 'critical', previousSeverity: 'warning' },
      { kind: 'resolved', ruleId: 'firewall-off', severity: 'info' },
    ]);

    expect(tally).toEqual({
      opened: { 'dns-single|warning': 2 },
      resolved: { 'firewall-off|info': 1 },
      net: {
        'dns-single|warning': 2,
        'db-express-cap|warning': -1,
        'db-express-cap|critical': 1,
        'firewall-off|info': -1,
      },
    });
    expect(tallyChanges([])).toBeUndefined();
  });
});

describe('fleetOverview', () => {
  it('gives the open findings at the end of each of 30 days, the noisiest rules of 7 days and the silent', async () => {
    const clock = new FixedClock();
    const now = clock.now().getTime();
    const counters = new MemoryFleetCounters();
    const store = new MemorySupportStore();
    // 10 days ago two warnings opened; 2 days ago one resolved and a critical opened; today one critical resolved
    await counters.add(
      dayOf(now - 10 * DAY),
      tallyChanges([
        { kind: 'opened', ruleId: 'dns-single', severity: 'warning' },
        { kind: 'opened', ruleId: 'dns-single', severity: 'warning' },
      ])!,
    );
    await counters.add(
      dayOf(now - 2 * DAY),
      tallyChanges([
        { kind: 'resolved', ruleId: 'dns-single', severity: 'warning' },
        { kind: 'opened', ruleId: 'db-express-cap', severity: 'critical' },
      ])!,
    );
    await counters.add(
      dayOf(now),
      tallyChanges([{ kind: 'resolved', ruleId: 'db-express-cap', severity: 'critical' }])!,
    );
    store.putHealth({
      installationId: 'inst_silent00001',
      accountId: 'acc_a',
      lastBeatAt: new Date(now - 2 * DAY).toISOString(),
      openFindings: [],
    });
    store.putHealth({
      installationId: 'inst_talking0002',
      accountId: 'acc_a',
      lastBeatAt: new Date(now - 60_000).toISOString(),
      openFindings: [],
    });

    const overview = await fleetOverview({ counters, store, clock }, principals.support);

    expect(overview.days).toHaveLength(30);
    expect(overview.to).toBe(dayOf(now));
    const at = (daysAgo: number) => overview.days.find((d) => d.day === dayOf(now - daysAgo * DAY))!;
    expect(at(11).bySeverity).toEqual({ critical: 0, warning: 0, info: 0 });
    expect(at(10).bySeverity).toEqual({ critical: 0, warning: 2, info: 0 });
    expect(at(2)).toEqual(
      expect.objectContaining({
        bySeverity: { critical: 1, warning: 1, info: 0 },
        byRule: { 'dns-single': 1, 'db-express-cap': 1 },
      }),
    );
    expect(at(0).bySeverity).toEqual({ critical: 0, warning: 1, info: 0 });
    expect(overview.open.byRule).toEqual([{ ruleId: 'dns-single', count: 1 }]);
    expect(overview.noisiestRules).toEqual([
      { ruleId: 'db-express-cap', opened: 1, resolved: 1 },
      { ruleId: 'dns-single', opened: 0, resolved: 1 },
    ]);
    expect(overview.silent).toEqual({ hours: 24, count: 1, atLeast: false });
  });

  it('counts installations by suite release and SQL edition from their newest inventory beats', async () => {
    const counters = new MemoryFleetCounters();
    const at = (m: number) => new Date(Date.UTC(2026, 2, 2, 9, m)).toISOString();
    const suite = (m: number, version: string) => ({ type: 'ucx.suite', collectedAt: at(m), data: { version } });
    const sql = (m: number, edition: string) => ({
      type: 'ucx.database_server',
      collectedAt: at(m),
      data: { edition },
    });
    await counters.putFacts(
      factsOfBeats('inst_1', [suite(1, '2025.4.1'), sql(1, 'Express Edition'), suite(2, '2025.4.2')])!,
    );
    await counters.putFacts(factsOfBeats('inst_2', [suite(1, '2024.2.0'), sql(1, 'Standard Edition')])!);
    await counters.putFacts(factsOfBeats('inst_3', [suite(3, '2025.4.0')])!);
    // a late beat of an older version changes nothing
    await counters.putFacts(factsOfBeats('inst_3', [suite(0, '2019.1')])!);

    const overview = await fleetOverview(
      { counters, store: new MemorySupportStore(), clock: new FixedClock() },
      principals.backoffice,
    );

    expect(factsOfBeats('inst_4', [{ type: 'ucx.ivr', collectedAt: at(1), data: {} }])).toBeUndefined();
    expect(counters.factsById.get('inst_1')?.suiteVersion).toBe('2025.4.2');
    expect(overview.installations).toEqual({
      bySuiteRelease: [
        { release: '2025.4', count: 2 },
        { release: '2024.2', count: 1 },
      ],
      bySqlEdition: [
        { edition: 'Express Edition', count: 1 },
        { edition: 'Standard Edition', count: 1 },
      ],
    });
  });

  it('is for support and back office only', async () => {
    const deps = { counters: new MemoryFleetCounters(), store: new MemorySupportStore(), clock: new FixedClock() };

    await expect(fleetOverview(deps, principals.customer('acc_a'))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
