/**
 * Advisory tables: the vendor's data some rules judge against (the CUCM compatibility matrix, the
 * suite's known issues and oldest supported version). The back office maintains them; the rules
 * Lambda reads the current tables and lays them under each rule's config (config-sources.ts).
 * No table maintained: the rule has nothing to judge and says nothing (docs/proactive-support.md).
 */
import * as z from 'zod';

const severity = z.enum(['info', 'warning', 'critical']);
const version = z.string().trim().min(1).max(64);

export const cucmCompatTableSchema = z
  .object({
    /** a suite version matches the entry with the longest dotted prefix; `cucm` lists certified CUCM versions by prefix */
    matrix: z
      .array(z.object({ suite: version, cucm: z.array(version).min(1).max(50) }).strict())
      .min(1)
      .max(200),
  })
  .strict();

export const suiteOutdatedTableSchema = z
  .object({
    knownIssues: z
      .array(
        z
          .object({ versions: z.array(version).min(1).max(50), severity, issue: z.string().trim().min(1).max(300) })
          .strict(),
      )
      .max(200)
      .default([]),
    /** versions older than this are unsupported; null: no floor */
    oldestSupported: version.nullable().default(null),
  })
  .strict();

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
