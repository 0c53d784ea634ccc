/**
 * What the support routes answer, as schemas: the contract's shape of each use case's result,
 * described in the OpenAPI document (a unit test holds each to its result type).
 */
import * as z from 'zod';
import { careLevelSchema } from '../licensing/catalogue';
import { beatTypeSchema } from '../telemetry/catalogue';

const instant = z.iso.datetime({ offset: true });
const severitySchema = z.enum(['info', 'warning', 'critical']);
const careSchema = z.union([careLevelSchema, z.literal('none')]);
const audienceSchema = z
  .enum(['proactive', 'support', 'customer'])
  .meta({ description: 'who acts on its findings: proactive (Gold, Platinum Care), support (Basic), customer (none)' });

const evidenceSchema = z
  .record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]),
  )
  .meta({ description: 'the values that triggered the finding (or show it is clear)' });

export const acknowledgementSchema = z
  .object({
    ackId: z.string(),
    findingId: z.string(),
    installationId: z.string(),
    accountId: z.string(),
    at: instant,
    by: z.string().meta({ description: "the acknowledging person's opaque subject id, never a name" }),
    note: z.string(),
  })
  .meta({ id: 'Acknowledgement', description: "Support's note on a finding." });

export const findingChartSchema = z
  .object({
    series: z
      .string()
      .meta({ description: 'a series of GET /v1/installations/{id}/history, e.g. `database:UCX:sizeBytes`' }),
    thresholds: z.array(z.object({ label: z.string(), value: z.number() })).meta({
      description: "lines across the series, in the series' unit (a cap, a warning level, the licensed capacity)",
    }),
    forecast: z
      .object({ at: instant, value: z.number() })
      .optional()
      .meta({ description: 'when the series is expected to reach `value` at its current growth (a database cap)' }),
  })
  .meta({
    id: 'FindingChart',
    description: 'The history series a finding is about, with its thresholds: present when it has one.',
  });

export const findingSchema = z
  .object({
    findingId: z.string(),
    installationId: z.string(),
    accountId: z.string(),
    ruleId: z.string(),
    subject: z.string().meta({ description: "what the rule looked at: a database, a process, … or 'installation'" }),
    severity: severitySchema,
    status: z.enum(['open', 'resolved']),
    openedAt: instant,
    updatedAt: instant,
    resolvedAt: instant.optional(),
    evidence: evidenceSchema,
    history: z.array(
      z.object({
        at: instant,
        event: z.enum(['opened', 'escalated', 'deescalated', 'resolved', 'reopened']),
        severity: severitySchema,
        evidence: evidenceSchema,
      }),
    ),
    audience: audienceSchema,
    careLevel: careSchema,
    title: z
      .string()
      .meta({ description: 'the finding in a headline, e.g. "Database UCX near the SQL Server Express cap"' }),
    message: z.string().meta({ description: 'what is wrong, with the numbers of its evidence' }),
    nextStep: z.string().meta({ description: 'what to do about it' }),
    chart: findingChartSchema.optional(),
    acknowledgements: z
      .array(acknowledgementSchema)
      .optional()
      .meta({ description: 'oldest first; for support and back office only' }),
  })
  .meta({
    id: 'Finding',
    description:
      'A proactive-support finding in words (title, message, next step, computed from its evidence at read time) with its evidence and history.',
  });

export const findingsSchema = z
  .object({ findings: z.array(findingSchema).meta({ description: 'newest change first' }) })
  .meta({ id: 'Findings' });

export const openFindingSummarySchema = z
  .object({
    findingId: z.string(),
    ruleId: z.string(),
    subject: z.string(),
    severity: severitySchema,
    openedAt: instant,
  })
  .meta({ id: 'OpenFindingSummary' });

export const installationHealthSchema = z
  .object({
    installationId: z.string(),
    lastBeatAt: instant.nullable().meta({
      description:
        "collectedAt of the newest beat (an account's list of installations gives it down to the hour: the index it reads is written once an hour); null: none yet",
    }),
    careLevel: careSchema.nullable(),
    audience: audienceSchema.nullable(),
    openFindings: z.array(openFindingSummarySchema).meta({ description: 'most severe first' }),
  })
  .meta({ id: 'InstallationHealth' });

export const accountInstallationsHealthSchema = z
  .object({ installations: z.array(installationHealthSchema) })
  .meta({ id: 'AccountInstallationsHealth' });

export const supportInstallationSchema = installationHealthSchema
  .extend({
    accountId: z.string(),
    accountName: z
      .string()
      .nullable()
      .meta({ description: 'the customer’s name; null: the account is not known here' }),
    accountRegion: z.enum(['eu', 'us']).nullable().meta({ description: 'the account’s home region' }),
    openFindings: z
      .array(openFindingSummarySchema.extend({ acknowledged: z.boolean() }))
      .meta({ description: 'most severe first; `acknowledged`: support has noted it' }),
  })
  .meta({ id: 'SupportInstallation' });

export const supportInstallationsPageSchema = z
  .object({
    installations: z.array(supportInstallationSchema),
    nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null: no more' }),
  })
  .meta({ id: 'SupportInstallationsPage' });

export const installationSnapshotSchema = z
  .object({
    installationId: z.string(),
    beats: z
      .partialRecord(beatTypeSchema, z.object({ beatId: z.string(), collectedAt: instant, data: z.unknown() }))
      .meta({ description: 'the newest beat of each type; `data` as GET /v1/telemetry/catalogue describes it' }),
  })
  .meta({ id: 'InstallationSnapshot' });
