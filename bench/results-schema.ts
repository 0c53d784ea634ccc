/**
 * The shape of bench/results.json as one `npm run bench` writes it whole: the run's identity
 * (date, commit, machine) and every row judged, plus the measures of the parts that ran. The cost
 * model reads its own subset (bench/cost.ts benchResultsSchema).
 */
import * as z from 'zod';

/** What a DynamoDB write of the rules wrote, from the `sk` of its item (bench/rules-stored.ts writeKindOf). */
export const writeKinds = [
  'STATE',
  'STATE#APART/transaction',
  'FINDING',
  'SNAP#counters',
  'SNAP#inventory',
  'HIST',
  'other',
] as const;
export type WriteKind = (typeof writeKinds)[number];

const goal = z.object({ op: z.enum(['<=', '>=']), value: z.number(), unit: z.string() });

export const judgedRowSchema = z.object({
  name: z.string().min(1),
  value: z.number().nullable(),
  unit: z.string(),
  goal,
  detail: z.string(),
  verdict: z.enum(['holds', 'missed', 'not run']),
});

export const resultsFileSchema = z.object({
  measuredAt: z.iso.datetime(),
  /** the commit measured, `+dirty` when the working tree differed from it */
  commit: z.string().regex(/^([0-9a-f]{40}|unknown)(\+dirty)?$/),
  machine: z.object({
    cpus: z.number().int().positive(),
    model: z.string().optional(),
    node: z.string().startsWith('v'),
    /** 1-minute load averages: above the core count, other work shared the machine */
    loadAtStart: z.number().nonnegative().optional(),
    loadAtEnd: z.number().nonnegative().optional(),
    /** bench/machine-speed.ts: the fixed workload's best time, ms; absent in runs before it existed */
    referenceMsAtStart: z.number().positive().optional(),
    referenceMsAtEnd: z.number().positive().optional(),
  }),
  rows: z.array(judgedRowSchema).min(1),
  durationSeconds: z.number().nonnegative(),
  agent: z
    .object({ cycleSeconds: z.number(), beatsPerCycle: z.number(), counterBeatsPerCollection: z.number() })
    .optional(),
  /** the rules' stored path (bench/rules-stored.ts): steady installations; the fresh ones' first rounds since issue 16 */
  rulesStored: z
    .object({
      beatsPerSecondPerCore: z.number(),
      cpuMsPerPost: z.number(),
      writeUnitsPerPost: z.number().nullable().optional(),
      warmupRounds: z.number().int().nonnegative().optional(),
      writeUnitsByKind: z.record(z.enum(writeKinds), z.number()).nullable().optional(),
      historyReadUnitsPerPost: z.number().nullable().optional(),
      stateReadUnitsPerPost: z.number().nullable().optional(),
      firstRounds: z
        .object({ cpuMsPerPost: z.number(), writeUnitsPerPost: z.number().nullable() })
        .passthrough()
        .optional(),
    })
    .optional(),
  /** the end-to-end row's figures (bench/fleet-row.ts FleetMeasures); `archiver` and `cpu` since issue 16 */
  fleet: z
    .object({
      beatsAccepted: z.number().nullable(),
      beatsArchived: z.number().nullable(),
      archiver: z
        .object({
          delivered: z.number(),
          pending: z.number(),
          sentToDestination: z.number(),
          discarded: z.number(),
          failureRecords: z.number(),
          waitedSeconds: z.number(),
          settled: z.enum(['complete', 'stopped growing', 'deadline']),
        })
        .optional(),
      /** the rules consumers at the end (since issue 16's last stop): failed invocations, records retried */
      rules: z
        .object({ delivered: z.number(), pending: z.number(), failedInvocations: z.number(), retried: z.number() })
        .optional(),
      cpu: z
        .object({
          windowSeconds: z.number(),
          requests: z.number(),
          requestsPerSecond: z.number(),
          cloudCpuMsPerRequest: z.number(),
          cloudCores: z.number(),
          clientCores: z.number().nullable(),
          machineBusyCores: z.number(),
          cores: z.number().int().positive(),
        })
        .optional(),
      /** cycles a second the fleet's licences asked for and those completed (since issue 16's seventh stop) */
      cycles: z.object({ offeredPerS: z.number(), servedPerS: z.number() }).optional(),
      /** posts after each installation's first, and the simulator's own event-loop delay (since issue 16's thirteenth stop) */
      steady: z
        .object({
          posts: z.number(),
          p50Ms: z.number(),
          p99Ms: z.number(),
          clientLagP50Ms: z.number(),
          clientLagP99Ms: z.number(),
        })
        .optional(),
    })
    .optional(),
});
