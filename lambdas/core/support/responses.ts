/**
 * What the support routes answer, as schemas: the contract's shape of each use case's result,
 * described in the OpenAPI document (a unit test holds each to its result type).
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { careLevelSchema } from '../licensing/catalogue';
import { beatTypeSchema } from '../telemetry/catalogue';

const instant = z.iso.datetime({ offset: true });
const severitySchema = z.enum(['info', 'warning', 'critical']);
const careSchema = z.union([careLevelSchema, z.literal('none')]);
const audienceSchema = withMeta(z.enum(['proactive', 'support', 'customer']), {
  description: 'who acts on its findings: proactive (Gold, Platinum Care), support (Basic), customer (none)',
});

const evidenceSchema = withMeta(
  z.record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]),
  ),
  { description: 'the values that triggered the finding (or show it is clear)' },
);

export const acknowledgementSchema = withMeta(
  z.object({
    ackId: z.string(),
    findingId: z.string(),
    installationId: z.string(),
    accountId: z.string(),
    at: instant,
    by: withMeta(z.string(), { description: "the acknowledging person's opaque subject id, never a name" }),
    note: z.string(),
  }),
  { id: 'Acknowledgement', description: "Support's note on a finding." },
);

export const findingChartSchema = withMeta(
  z.object({
    series: withMeta(z.string(), {
      description: 'a series of GET /v1/installations/{id}/history, e.g. `database:UCX:sizeBytes`',
    }),
    thresholds: withMeta(z.array(z.object({ label: z.string(), value: z.number() })), {
      description: "lines across the series, in the series' unit (a cap, a warning level, the licensed capacity)",
    }),
    forecast: withMeta(z.optional(z.object({ at: instant, value: z.number() })), {
      description: 'when the series is expected to reach `value` at its current growth (a database cap)',
    }),
  }),
  {
    id: 'FindingChart',
    description: 'The history series a finding is about, with its thresholds: present when it has one.',
  },
);

export const findingSchema = withMeta(
  z.object({
    findingId: z.string(),
    installationId: z.string(),
    accountId: z.string(),
    ruleId: z.string(),
    subject: withMeta(z.string(), {
      description: "what the rule looked at: a database, a process, … or 'installation'",
    }),
    severity: severitySchema,
    status: z.enum(['open', 'resolved']),
    openedAt: instant,
    updatedAt: instant,
    resolvedAt: z.optional(instant),
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
    title: withMeta(z.string(), {
      description: 'the finding in a headline, e.g. "Database UCX near the SQL Server Express cap"',
    }),
    message: withMeta(z.string(), { description: 'what is wrong, with the numbers of its evidence' }),
    nextStep: withMeta(z.string(), { description: 'what to do about it' }),
    chart: z.optional(findingChartSchema),
    acknowledgements: withMeta(z.optional(z.array(acknowledgementSchema)), {
      description: 'oldest first; for support and back office only',
    }),
  }),
  {
    id: 'Finding',
    description:
      'A proactive-support finding in words (title, message, next step, computed from its evidence at read time) with its evidence and history.',
  },
);

export const findingsSchema = withMeta(
  z.object({ findings: withMeta(z.array(findingSchema), { description: 'newest change first' }) }),
  { id: 'Findings' },
);

export const openFindingSummarySchema = withMeta(
  z.object({
    findingId: z.string(),
    ruleId: z.string(),
    subject: z.string(),
    severity: severitySchema,
    openedAt: instant,
  }),
  { id: 'OpenFindingSummary' },
);

export const installationHealthSchema = withMeta(
  z.object({
    installationId: z.string(),
    lastBeatAt: withMeta(z.nullable(instant), {
      description: 'collectedAt of the newest beat; null: none yet',
    }),
    careLevel: z.nullable(careSchema),
    audience: z.nullable(audienceSchema),
    openFindings: withMeta(z.array(openFindingSummarySchema), { description: 'most severe first' }),
  }),
  { id: 'InstallationHealth' },
);

export const accountInstallationsHealthSchema = withMeta(
  z.object({ installations: z.array(installationHealthSchema) }),
  { id: 'AccountInstallationsHealth' },
);

export const supportInstallationSchema = withMeta(
  z.extend(installationHealthSchema, {
    accountId: z.string(),
    accountName: withMeta(z.nullable(z.string()), {
      description: 'the customer’s name; null: the account is not known here',
    }),
    accountRegion: withMeta(z.nullable(z.enum(['eu', 'us'])), { description: 'the account’s home region' }),
    openFindings: withMeta(z.array(z.extend(openFindingSummarySchema, { acknowledged: z.boolean() })), {
      description: 'most severe first; `acknowledged`: support has noted it',
    }),
  }),
  { id: 'SupportInstallation' },
);

export const supportInstallationsPageSchema = withMeta(
  z.object({
    installations: z.array(supportInstallationSchema),
    nextCursor: withMeta(z.nullable(z.string()), { description: 'the `cursor` of the next page; null: no more' }),
  }),
  { id: 'SupportInstallationsPage' },
);

export const installationSnapshotSchema = withMeta(
  z.object({
    installationId: z.string(),
    beats: withMeta(
      z.partialRecord(beatTypeSchema, z.object({ beatId: z.string(), collectedAt: instant, data: z.unknown() })),
      { description: 'the newest beat of each type; `data` as GET /v1/telemetry/catalogue describes it' },
    ),
  }),
  { id: 'InstallationSnapshot' },
);

const bySeveritySchema = z.object({ critical: z.number(), warning: z.number(), info: z.number() });
/** The fleet overview (fleet-overview.ts). */
export const fleetOverviewSchema = withMeta(
  z.object({
    from: z.string(),
    to: z.string(),
    days: z.array(
      z.object({ day: z.string(), bySeverity: bySeveritySchema, byRule: z.record(z.string(), z.number()) }),
    ),
    open: z.object({
      bySeverity: bySeveritySchema,
      byRule: z.array(z.object({ ruleId: z.string(), count: z.number() })),
    }),
    noisiestRules: z.array(z.object({ ruleId: z.string(), opened: z.number(), resolved: z.number() })),
    silent: z.object({ hours: z.number(), count: z.number(), atLeast: z.boolean() }),
    installations: z.object({
      bySuiteRelease: z.array(z.object({ release: z.string(), count: z.number() })),
      bySqlEdition: z.array(z.object({ edition: z.string(), count: z.number() })),
    }),
  }),
  { id: 'FleetOverview', description: 'Open findings a day for 30 days, the noisiest rules, the silent.' },
);
