/**
 * Advisory tables: the vendor's data some rules judge against (the CUCM compatibility matrix, the
 * suite's known issues and oldest supported version). The back office maintains them; the rules
 * Lambda reads the current tables and lays them under each rule's config (config-sources.ts).
 * No table maintained: the rule has nothing to judge and says nothing (docs/proactive-support.md).
 */
import * as z from 'zod/mini';

const severity = z.enum(['info', 'warning', 'critical']);
const version = z.string().check(z.trim(), z.minLength(1), z.maxLength(64));

export const cucmCompatTableSchema = z.strictObject({
  /** a suite version matches the entry with the longest dotted prefix; `cucm` lists certified CUCM versions by prefix */
  matrix: z
    .array(z.strictObject({ suite: version, cucm: z.array(version).check(z.minLength(1), z.maxLength(50)) }))
    .check(z.minLength(1), z.maxLength(200)),
});

export const suiteOutdatedTableSchema = z.strictObject({
  knownIssues: z._default(
    z
      .array(
        z.strictObject({
          versions: z.array(version).check(z.minLength(1), z.maxLength(50)),
          severity,
          issue: z.string().check(z.trim(), z.minLength(1), z.maxLength(300)),
        }),
      )
      .check(z.maxLength(200)),
    [],
  ),
  /** versions older than this are unsupported; null: no floor */
  oldestSupported: z._default(z.nullable(version), null),
});

/** The advisory tables by the id of the rule that reads each. */
export const advisorySchemas = {
  'cucm-compat': cucmCompatTableSchema,
  'suite-outdated': suiteOutdatedTableSchema,
} as const;

export type AdvisoryRuleId = keyof typeof advisorySchemas;
export const advisoryRuleIds = Object.keys(advisorySchemas) as AdvisoryRuleId[];
export const isAdvisoryRuleId = (id: string): id is AdvisoryRuleId => Object.hasOwn(advisorySchemas, id);

/** One maintained table as stored: the rule's part of its config, when and by whom it was last set. */
export interface AdvisoryTable {
  readonly ruleId: AdvisoryRuleId;
  readonly table: Record<string, unknown>;
  readonly updatedAt: string;
  /** the back-office person's opaque subject id */
  readonly updatedBy: string;
}

/** The back office's advisory tables (the licensing table, replicated to every region). */
export interface AdvisoryStore {
  list(): Promise<AdvisoryTable[]>;
  /** writes the table with its audit event (one transaction) */
  put(table: AdvisoryTable, audit: import('../licensing/model').AuditEvent): Promise<void>;
  /** false when there was none */
  remove(ruleId: AdvisoryRuleId, audit: import('../licensing/model').AuditEvent): Promise<boolean>;
}
