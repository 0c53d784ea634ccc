/**
 * Holds every rule of the catalogue to its words: each rule (and each of its variants) is driven
 * through the real engine until it fires, and its finding is rendered from the evidence the rule
 * really produced, every placeholder filled.
 */
import { allRules } from '#lambdas/core/rules/catalogue/index';
import type { FindingRecord } from '#lambdas/core/rules/engine';
import { findingWords, placeholdersOf, renderTemplate } from '#lambdas/core/rules/explain';
import type { LicenceFacts, Rule } from '#lambdas/core/rules/rule';
import { beatAt, DAY, HOUR, licenceFacts, runRule, type Step, T0, tickAt } from '#test/support/rules-harness';

const GIB = 1024 ** 3;
const MINUTE = 60_000;
const iso = (t: number) => new Date(t).toISOString();
const times = (n: number, every: number, from = T0) => Array.from({ length: n }, (_, i) => from + i * every);

interface Scenario {
  readonly name: string;
  readonly steps: readonly Step[];
  readonly licence?: LicenceFacts;
  /** per-account settings (the advisory tables come from the back office, empty by default) */
  readonly overrides?: Record<string, unknown>;
}
const matrix = { 'cucm-compat': { matrix: [{ suite: '2023', cucm: ['12.5', '14'] }], unlistedSeverity: 'info' } };

const express = beatAt('ucx.database_server', T0, { edition: 'Express Edition (64-bit)', version: '16.0.1000.6' });
const db = (at: number, gib: number) => beatAt('ucx.database', at, { name: 'UCX', sizeBytes: Math.round(gib * GIB) });
const suiteProcess = (
  at: number,
  values: { handleCount?: number; memoryBytes?: number; threadCount?: number; cpuPercent?: number },
) =>
  beatAt('processes.running', at, {
    processes: [
      {
        pid: 4100,
        name: 'UCX.Core.exe',
        memoryBytes: 400 * 1024 ** 2,
        handleCount: 900,
        threadCount: 40,
        cpuPercent: 3,
        ...values,
      },
    ],
  });
const autoService = beatAt('software.windows_services', T0, {
  services: [{ name: 'UcxCore', startMode: 'auto', startIdentity: 'LocalSystem', exePath: 'C:\\UCX\\UCX.Core.exe' }],
});
const adapter = (dhcpEnabled: boolean, dnsServers: string[]) => ({
  name: 'Ethernet0',
  dhcpEnabled,
  dnsServers,
  gateways: ['10.0.0.1'],
  ipAddresses: ['10.0.0.25'],
});
const acd = (at: number, queued: number) =>
  beatAt('ucx.acd', at, { fifoQueued: queued, campOnQueued: 0, activeConsultations: 0 });
const phoneLock = (at: number, rate: number) => beatAt('ucx.phone_lock', at, { curriRequestsPerMinute: rate });
const licenceWith = (products: LicenceFacts['products']) => licenceFacts({ products });

/** One scenario per variant (and one for the base texts) of every rule. */
const scenarios: Record<string, readonly Scenario[]> = {
  'db-express-cap': [
    { name: 'near the cap, growth not known yet', steps: [express, db(T0 + HOUR, 9.2)] },
    {
      name: 'near the cap, growing',
      steps: [express, ...times(15, DAY, T0 + HOUR).map((t, i) => db(t, 7.5 + i * 0.05))],
    },
  ],
  'db-growth-forecast': [{ name: 'growing', steps: [express, db(T0, 7), db(T0 + 12 * HOUR, 7.05), db(T0 + DAY, 7.1)] }],
  'db-maintenance-overdue': [
    {
      name: 'old maintenance',
      steps: [beatAt('ucx.database', T0, { name: 'UCX', lastMaintenanceAt: iso(T0 - 9 * DAY) })],
    },
    { name: 'never maintained', steps: [beatAt('ucx.database', T0, { name: 'UCX', lastMaintenanceAt: null })] },
  ],
  'db-fulltext': [
    {
      name: 'catalog error',
      steps: times(2, HOUR).map((t) => beatAt('ucx.database', t, { name: 'UCX', fullTextCatalogStatus: 'Error' })),
    },
  ],
  'memory-undersized': [
    {
      name: '4 GB',
      steps: [beatAt('hardware.memory', T0, { totalBytes: 4 * GIB }), beatAt('ucx.voip', T0, { cucmUsers: 1_250 })],
    },
  ],
  'cores-undersized': [
    {
      name: '2 cores',
      steps: [
        beatAt('hardware.processors', T0, {
          processors: [{ name: 'Xeon', manufacturer: 'GenuineIntel', bitness: 64, cores: 2 }],
        }),
        beatAt('ucx.voip', T0, { cucmUsers: 1_250 }),
      ],
    },
  ],
  'firewall-off': [
    { name: 'public off', steps: [beatAt('software.firewall', T0, { domain: true, private: true, public: false })] },
    { name: 'all off', steps: [beatAt('software.firewall', T0, { domain: false, private: false, public: false })] },
  ],
  'os-end-of-support': [{ name: 'Windows 2012 R2', steps: [beatAt('software.os', T0, { version: '6.3.9600' })] }],
  'sql-end-of-support': [{ name: 'SQL 2016', steps: [beatAt('ucx.database_server', T0, { version: '13.0.5026.0' })] }],
  'patch-age': [
    {
      name: 'old hotfix',
      steps: [beatAt('software.hotfixes', T0, { hotfixes: [{ id: 'KB5000001', installedOn: '2025-10-01' }] })],
    },
  ],
  'suite-outdated': [
    {
      name: 'below the floor',
      steps: [beatAt('ucx.suite', T0, { version: '2022.4.1' })],
      overrides: { 'suite-outdated': { oldestSupported: '2023.1' } },
    },
    {
      name: 'a known issue',
      steps: [beatAt('ucx.suite', T0, { version: '2024.2.1' })],
      overrides: {
        'suite-outdated': {
          knownIssues: [
            { versions: ['2024.2'], severity: 'warning', issue: 'the attendant queue may stall after a CUCM failover' },
          ],
        },
      },
    },
  ],
  'cucm-compat': [
    {
      name: 'not certified',
      steps: [beatAt('ucx.suite', T0, { version: '2023.2.0' }), beatAt('ucx.voip', T0, { cucmVersion: '15.0.1' })],
      overrides: matrix,
    },
    {
      name: 'unlisted suite',
      steps: [beatAt('ucx.suite', T0, { version: '2030.1.0' }), beatAt('ucx.voip', T0, { cucmVersion: '15.0.1' })],
      overrides: matrix,
    },
  ],
  'cluster-mismatch': [
    { name: 'renamed node', steps: times(2, HOUR).map((t) => beatAt('ucx.cluster', t, { nodes: ['UCX-NODE-9'] })) },
  ],
  'logging-off': [
    { name: 'short retention', steps: [beatAt('ucx.logging', T0, { enabled: true, retentionDays: 2 })] },
    { name: 'disabled', steps: [beatAt('ucx.logging', T0, { enabled: false, retentionDays: 30 })] },
  ],
  'service-stopped': [
    {
      name: 'stopped',
      steps: [
        autoService,
        ...times(3, 5 * MINUTE, T0 + MINUTE).map((t) =>
          beatAt('processes.windows_services', t, { services: [{ pid: null, name: 'UcxCore', status: 'Stopped' }] }),
        ),
      ],
    },
  ],
  'process-handle-leak': [
    { name: 'growing handles', steps: times(6, HOUR).map((t, i) => suiteProcess(t, { handleCount: 900 + i * 100 })) },
  ],
  'process-memory-leak': [
    {
      name: 'growing memory',
      steps: times(6, HOUR).map((t, i) => suiteProcess(t, { memoryBytes: (400 + i * 50) * 1024 ** 2 })),
    },
  ],
  'process-thread-leak': [
    { name: 'growing threads', steps: times(6, HOUR).map((t, i) => suiteProcess(t, { threadCount: 40 + i * 10 })) },
  ],
  'process-cpu-sustained': [{ name: 'busy', steps: times(5, MINUTE).map((t) => suiteProcess(t, { cpuPercent: 97 })) }],
  'disk-footprint': [
    {
      name: 'disk nearly full',
      steps: [
        beatAt('ucx.suite', T0, { installFolderBytes: 60 * GIB }),
        beatAt('hardware.disks', T0, { disks: [{ model: 'Disk', sizeBytes: 100 * GIB }] }),
        beatAt('ucx.database', T0, { name: 'UCX', sizeBytes: 20 * GIB }),
      ],
    },
  ],
  'dhcp-server': [
    {
      name: 'DHCP on',
      steps: [beatAt('hardware.network', T0, { adapters: [adapter(true, ['10.0.0.10', '10.0.0.11'])] })],
    },
  ],
  'dns-single': [
    { name: 'one DNS', steps: [beatAt('hardware.network', T0, { adapters: [adapter(false, ['10.0.0.10'])] })] },
  ],
  'usage-over-licence': [
    {
      name: 'consoles',
      steps: times(3, MINUTE).map((t) =>
        beatAt('ucx.attendant_console', t, { connected: [{ type: 'Standard', count: 11 }] }),
      ),
    },
    {
      name: 'recordings',
      steps: times(3, MINUTE).map((t) => beatAt('ucx.call_recording', t, { activeRecordings: 12 })),
    },
    { name: 'IVR calls', steps: times(3, MINUTE).map((t) => beatAt('ucx.ivr', t, { activeCalls: 10 })) },
  ],
  'care-expiring': [
    {
      name: 'Care ends',
      steps: [tickAt(T0)],
      licence: licenceWith([
        {
          product: 'attendant-console',
          capacity: 10,
          kind: 'perpetual',
          care: { level: 'gold', expiresAt: iso(T0 + 20 * DAY) },
        },
      ]),
    },
    {
      name: 'subscription ends with a shortfall',
      steps: [tickAt(T0)],
      licence: licenceWith([
        {
          product: 'ivr',
          capacity: 10,
          kind: 'subscription',
          expiresAt: iso(T0 + 5 * DAY),
          shortfall: { quantity: 2, enforcedAt: iso(T0 + 5 * DAY) },
        },
      ]),
    },
  ],
  'acd-queue-surge': [
    {
      name: 'surge',
      steps: [...times(7, DAY).map((t) => acd(t, 2)), ...times(3, 10 * MINUTE, T0 + 7 * DAY).map((t) => acd(t, 12))],
    },
  ],
  'fax-stuck': [
    {
      name: 'stuck sending',
      steps: times(6, 5 * MINUTE).map((t) => beatAt('ucx.digital_fax', t, { transmitting: 2, receiving: 0 })),
    },
  ],
  'curri-rate': [
    {
      name: 'surge',
      steps: [
        ...times(7, DAY).map((t) => phoneLock(t, 20)),
        ...times(3, 10 * MINUTE, T0 + 7 * DAY).map((t) => phoneLock(t, 200)),
      ],
    },
  ],
  'telemetry-silent': [
    { name: 'silent a day', steps: [beatAt('ucx.ivr', T0, { activeCalls: 1 }), tickAt(T0 + 26 * HOUR)] },
  ],
};

/** The finding each scenario opens (the first, when several). */
function fired(rule: Rule, scenario: Scenario): FindingRecord {
  const run = runRule(rule, scenario.steps, {
    ...(scenario.licence ? { licence: scenario.licence } : {}),
    ...(scenario.overrides ? { overrides: scenario.overrides } : {}),
  });
  const open = run.open().filter((f) => f.ruleId === rule.id);
  expect(open.length).toBeGreaterThan(0);
  return open[0]!;
}

/** The texts the renderer picks for this evidence: the matching variant's over the base. */
function selected(rule: Rule, finding: FindingRecord) {
  const variantIndex =
    rule.explain.variants?.findIndex((v) =>
      Object.entries(v.when).every(
        ([k, want]) => (k === 'subject' ? finding.subject : (finding.evidence[k] ?? null)) === want,
      ),
    ) ?? -1;
  const variant = variantIndex >= 0 ? rule.explain.variants![variantIndex] : undefined;
  return {
    variantIndex,
    texts: {
      title: variant?.title ?? rule.explain.title,
      message: variant?.message ?? rule.explain.message,
      nextStep: variant?.nextStep ?? rule.explain.nextStep,
    },
    chart: variant?.chart ?? rule.explain.chart,
  };
}

describe('every rule in words', () => {
  it('has a scenario for every rule of the catalogue', () => {
    expect(Object.keys(scenarios).sort()).toEqual(allRules.map((r) => r.id).sort());
  });

  describe.each(allRules.map((r) => [r.id, r] as const))('%s', (id, rule) => {
    const cases = (scenarios[id] ?? []).map((s) => [s.name, s] as const);

    it.each(cases)('fills every placeholder of its words when it fires: %s', (_name, scenario) => {
      const finding = fired(rule, scenario);

      const words = findingWords(finding);
      const { texts } = selected(rule, finding);

      for (const [field, template] of Object.entries(texts)) {
        // each placeholder names a field the rule's evidence really has (null only inside an optional part)
        for (const key of placeholdersOf(template)) expect(Object.keys(finding.evidence)).toContain(key);
        expect(renderTemplate(template, finding.subject, finding.evidence)).toBe(words[field as keyof typeof texts]);
      }
      for (const text of [words.title, words.message, words.nextStep]) {
        expect(text.length).toBeGreaterThan(0);
        expect(text).not.toMatch(/[{}[\]]|undefined|NaN|null/);
      }
    });

    it('has every variant reached by a scenario', () => {
      const reached = new Set(cases.map(([, s]) => selected(rule, fired(rule, s)).variantIndex));

      for (const i of (rule.explain.variants ?? []).keys()) expect(reached).toContain(i);
    });

    it('draws its chart from the evidence it produces, when it has one', () => {
      for (const [, scenario] of cases) {
        const finding = fired(rule, scenario);
        const { chart: spec } = selected(rule, finding);

        const { chart } = findingWords(finding);

        if (!spec) {
          expect(chart).toBeUndefined();
          continue;
        }
        expect(chart?.series).toMatch(/^(?:process|database|calls|queue|consoles):/);
        expect(chart?.series).not.toMatch(/[{}]/);
        for (const line of spec.thresholds ?? []) expect(Object.keys(finding.evidence)).toContain(line.value);
        expect(chart?.thresholds).toHaveLength(spec.thresholds?.length ?? 0);
      }
    });
  });
});
