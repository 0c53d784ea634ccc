import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '#lambdas/core/rules/catalogue/index';
import { beatTypes, catalogueFieldPaths, type BeatType } from '#lambdas/core/telemetry/catalogue';

/** The rule ids of ../shared/PROACTIVE-RULES.md (the starting catalogue), in its order. */
const PROACTIVE_RULE_IDS = [
  'db-express-cap',
  'db-growth-forecast',
  'db-maintenance-overdue',
  'db-fulltext',
  'service-stopped',
  'process-handle-leak',
  'process-memory-leak',
  'process-thread-leak',
  'process-cpu-sustained',
  'memory-undersized',
  'cores-undersized',
  'firewall-off',
  'os-end-of-support',
  'sql-end-of-support',
  'patch-age',
  'suite-outdated',
  'cucm-compat',
  'cluster-mismatch',
  'logging-off',
  'disk-footprint',
  'dhcp-server',
  'dns-single',
  'usage-over-licence',
  'care-expiring',
  'acd-queue-surge',
  'fax-stuck',
  'curri-rate',
  'telemetry-silent',
];

/** Non-catalogue facts a rule may read: the installation's licence, and when its last beat came. */
const LICENCE_FACTS = new Set(['products', 'activatedNodes', 'careLevel', 'telemetryEnabled']);
const PSEUDO_FIELDS = new Set(['telemetry:lastBeatAt']);

describe('the rule catalogue', () => {
  it('has every rule of the starting catalogue, once, and nothing unlisted', () => {
    const ids = allRules.map((r) => r.id);

    expect([...ids].sort()).toEqual([...PROACTIVE_RULE_IDS].sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('matches the table of PROACTIVE-RULES.md where the design card is at hand', () => {
    const card = [
      join(__dirname, '../../../../../shared/PROACTIVE-RULES.md'),
      join(__dirname, '../../../../../../shared/PROACTIVE-RULES.md'),
    ].find(existsSync);
    if (!card) return; // the list above is the project's copy; CI may keep the card elsewhere

    const tableIds = [...readFileSync(card, 'utf8').matchAll(/^\| ([a-z0-9-]+) \|/gm)]
      .map((m) => m[1])
      .filter((id) => id !== 'id' && !/^-+$/.test(id ?? ''));

    expect(tableIds).toEqual(PROACTIVE_RULE_IDS);
  });

  it.each(allRules.map((r) => [r.id, r] as const))('%s reads only catalogue fields and licence facts', (_id, rule) => {
    const outside = rule.fields.filter((field) => {
      if (PSEUDO_FIELDS.has(field)) return false;
      const [source, path] = [field.slice(0, field.indexOf(':')), field.slice(field.indexOf(':') + 1)];
      if (source === 'licence') return !LICENCE_FACTS.has(path);
      if (!(beatTypes as readonly string[]).includes(source)) return true;
      return !catalogueFieldPaths(source as BeatType).includes(path);
    });

    expect(outside).toEqual([]);
    expect(rule.reads.every((type) => rule.fields.some((f) => f.startsWith(`${type}:`)))).toBe(true);
  });

  it.each(allRules.map((r) => [r.id, r] as const))('%s has defaults for every threshold', (_id, rule) => {
    expect(() => rule.config.parse({})).not.toThrow();
  });
});
