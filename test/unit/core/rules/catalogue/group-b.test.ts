import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { groupB } from '#lambdas/core/rules/catalogue/group-b';
import { beatTypes, catalogueFieldPaths, type BeatType } from '#lambdas/core/telemetry/catalogue';
import { licenceFacts } from '#test/support/rules-harness';

const ids = [
  'service-stopped',
  'process-handle-leak',
  'process-memory-leak',
  'process-thread-leak',
  'process-cpu-sustained',
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
const licenceFields = Object.keys(licenceFacts());
/** the one field outside the catalogue: the time of the installation's newest beat */
const PSEUDO_FIELDS = ['telemetry:lastBeatAt'];

describe('group-b', () => {
  it('holds the 14 rules, each in the module named by its id', () => {
    const modules = readdirSync(join(__dirname, '../../../../../lambdas/core/rules/catalogue'));

    expect(groupB.map((r) => r.id)).toEqual(ids);
    for (const id of ids) expect(modules).toContain(`${id}.ts`);
  });

  it.each(groupB.map((r) => [r.id, r] as const))(
    '%s reads only catalogue fields, licence facts and its beat types',
    (_, rule) => {
      const problems = rule.fields.filter((field) => {
        const [prefix, path] = [field.slice(0, field.indexOf(':')), field.slice(field.indexOf(':') + 1)];
        if (prefix === 'licence') return !licenceFields.includes(path);
        if (PSEUDO_FIELDS.includes(field)) return false;
        return (
          !(beatTypes as readonly string[]).includes(prefix) || !catalogueFieldPaths(prefix as BeatType).includes(path)
        );
      });
      const typesRead = new Set(
        rule.fields.map((f) => f.split(':')[0]).filter((p) => (beatTypes as readonly string[]).includes(p!)),
      );

      expect(problems).toEqual([]);
      expect([...typesRead].sort()).toEqual([...rule.reads].sort());
    },
  );

  it.each(groupB.map((r) => [r.id, r] as const))(
    '%s has defaults for every threshold and a sane hysteresis',
    (_, rule) => {
      const defaults = rule.config.parse({});

      expect(rule.config.parse(defaults)).toEqual(defaults);
      expect(rule.hysteresis.openAfter).toBeGreaterThanOrEqual(1);
      expect(rule.hysteresis.resolveAfter).toBeGreaterThanOrEqual(1);
    },
  );

  it('refuses a name pattern that is not a regular expression', () => {
    const cpu = groupB.find((r) => r.id === 'process-cpu-sustained')!;

    expect(cpu.config.safeParse({ processPattern: '^(UCX' }).success).toBe(false);
  });
});
