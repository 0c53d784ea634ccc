/**
 * The contract of a proactive-support rule (../shared/PROACTIVE-RULES.md). A rule is one small
 * module under `catalogue/`: an id, what it reads, its thresholds as a zod schema with the table's
 * defaults (per-account overrides are parsed through the same schema), its hysteresis, and a pure
 * `evaluate` that turns one beat (plus the installation's memory and licence facts) into signals.
 * The engine owns consecutive-hit counting, finding lifecycle and persistence; a rule only says,
 * for each subject it looked at, "firing at this severity" or "clear".
 */
import type * as z from 'zod/mini';
import type { CareLevel, LicenseKind, Product } from '../licensing/catalogue';
import type { Beat, BeatType } from '../telemetry/catalogue';

export type Severity = 'info' | 'warning' | 'critical';
export const severityRank: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };

/** What a rule says about one subject (a database, a process, a service, an adapter, or 'installation'). */
export interface Signal {
  /** stable within the rule: one open finding per (installation, rule, subject) */
  readonly subject: string;
  /** null: evaluated and clear */
  readonly severity: Severity | null;
  /** the values that triggered it (or that show it is clear), kept on the finding */
  readonly evidence: Readonly<Record<string, string | number | boolean | null | readonly (string | number)[]>>;
}

/** The installation's licensing facts that join the telemetry facts (decoded from its signed licence). */
export interface LicenceFacts {
  readonly installationId: string;
  readonly accountId: string;
  /** best Care level over the licence's perpetual products; 'none' without Care */
  readonly careLevel: CareLevel | 'none';
  readonly products: readonly {
    readonly product: Product;
    readonly capacity: number;
    readonly kind: LicenseKind;
    readonly expiresAt?: string;
    readonly care?: { readonly level: CareLevel; readonly expiresAt: string };
    /** allocated beyond what the entitlements cover: the installation loses it at `enforcedAt` */
    readonly shortfall?: { readonly quantity: number; readonly enforcedAt: string };
  }[];
  /** node names given at activation */
  readonly activatedNodes: readonly string[];
  readonly telemetryEnabled: boolean;
  /** the cycle the licence tells the agent (telemetry/cadence.ts); absent in facts from older records */
  readonly telemetryIntervalSeconds?: number;
}

/** One point of a numeric series (t: epoch milliseconds of the beat's collectedAt). */
export interface Point {
  readonly t: number;
  readonly v: number;
}

/**
 * The rule's own memory on the installation's state item, scoped to the rule id. Everything a
 * rule keeps must be bounded (maxPoints, a fixed set of keys): the whole state is one DynamoDB
 * item. Keys are the rule's choice, e.g. `db:<name>` or `proc:<name>:<pid>`.
 */
export interface RuleMemory {
  series(key: string): readonly Point[];
  /** appends a point (dropping the oldest beyond maxPoints) and returns the series */
  push(key: string, point: Point, maxPoints: number): readonly Point[];
  fact<T = unknown>(key: string): T | undefined;
  setFact(key: string, value: unknown): void;
  /** every key this rule holds, series and facts (for pruning, e.g. series of pids that are gone) */
  keys(): readonly string[];
  forget(key: string): void;
}

export interface RuleContext<Config> {
  readonly beat: Beat;
  /** the beat's collectedAt in epoch ms */
  readonly at: number;
  /**
   * true when the beat was collected before the newest beat of its type already evaluated (late, or
   * re-sent: the two cannot be told apart). Only a rule with `mergesLateBeats` sees such a beat; it
   * may merge it into its memory, idempotently (the same beat may come again), and its signals do
   * not open, escalate or resolve anything.
   */
  readonly late: boolean;
  readonly memory: RuleMemory;
  readonly licence: LicenceFacts;
  readonly config: Config;
}

/** Evaluation without a beat: the missing-beat sweep and licence-only rules. */
export interface TickContext<Config> {
  /** evaluation time, epoch ms */
  readonly now: number;
  /** newest collectedAt of any beat of the installation, epoch ms (undefined if none yet) */
  readonly lastBeatAt?: number;
  readonly memory: RuleMemory;
  readonly licence: LicenceFacts;
  readonly config: Config;
}

export interface Hysteresis {
  /** consecutive hits before a finding opens (PROACTIVE-RULES: 1 for state facts, 3 for counters) */
  readonly openAfter: number;
  /** consecutive clear evaluations before it resolves (default 2) */
  readonly resolveAfter: number;
}

/** A value `when` compares an evidence field with (null also matches a missing field). */
export type EvidenceValue = string | number | boolean | null;

/**
 * A finding in words (docs/proactive-support.md "Findings in words"), rendered by ./explain.ts at
 * read time from the finding's subject and evidence. In a template `{key}` or `{key|format}` (or
 * `{key|format:argument}`) takes the evidence's field, `{subject}` the subject; a part in `[...]`
 * is left out when one of its placeholders has no value. Formats: explain.ts `formats`.
 */
export interface ExplainTexts {
  /** a short headline naming the subject, e.g. "Database {subject} near the SQL Server Express cap" */
  readonly title: string;
  /** one or two sentences with the numbers */
  readonly message: string;
  /** what to do about it */
  readonly nextStep: string;
}

export interface Explain extends ExplainTexts {
  /**
   * other texts (or chart) for evidence that matches every field of `when`, `subject` the subject
   * (the first that matches)
   */
  readonly variants?: readonly (Partial<ExplainTexts> & {
    readonly when: Readonly<Record<string, EvidenceValue>>;
    readonly chart?: ChartSpec;
  })[];
  /** a finding whose rule reads a series of the installation's history draws it (docs/proactive-support.md "History") */
  readonly chart?: ChartSpec;
}

export interface ChartSpec {
  /** the history series key, a template: `database:{subject}:sizeBytes` */
  readonly series: string;
  /** lines drawn across the series: `value` names the evidence field (in the series' unit); one without a value is left out */
  readonly thresholds?: readonly { readonly label: string; readonly value: string }[];
  /** the series reaches evidence[value] in evidence[inDays] days from the evidence's time (left out when either is null) */
  readonly forecast?: { readonly inDays: string; readonly value: string };
}

export interface Rule<ConfigSchema extends z.ZodMiniType = z.ZodMiniType> {
  readonly id: string;
  readonly description: string;
  /** beat types the rule evaluates on (and may remember facts from) */
  readonly reads: readonly BeatType[];
  /**
   * the catalogue fields it reads, as `<beat type>:<catalogue field path>` (paths as
   * catalogueFieldPaths gives them, e.g. `ucx.database:sizeBytes`, `processes.running:processes[].handleCount`),
   * and `licence:<field>` for licensing facts. A test proves each exists in the catalogue.
   */
  readonly fields: readonly string[];
  /**
   * evaluate also late beats (see RuleContext.late), e.g. to put their points into a series in
   * time order. Without it a rule never sees a beat older than the newest of its type, so its
   * latest-wins facts cannot go back in time.
   */
  readonly mergesLateBeats?: boolean;
  /** thresholds with the table's defaults; `config.parse({})` gives the defaults */
  readonly config: ConfigSchema;
  readonly hysteresis: Hysteresis;
  /** the finding in words, from the evidence this rule's signals carry (a test fills every placeholder) */
  readonly explain: Explain;
  evaluate(ctx: RuleContext<z.infer<ConfigSchema>>): readonly Signal[];
  /** evaluated by the scheduled sweep and once per batch (telemetry-silent, care-expiring) */
  tick?(ctx: TickContext<z.infer<ConfigSchema>>): readonly Signal[];
}

/** Typed identity helper so a rule module reads `export const rule = defineRule({...})`. */
export function defineRule<S extends z.ZodMiniType>(rule: Rule<S>): Rule<S> {
  return rule;
}

/** Hysteresis defaults of PROACTIVE-RULES.md. */
export const STATE_FACT: Hysteresis = { openAfter: 1, resolveAfter: 2 };
export const COUNTER: Hysteresis = { openAfter: 3, resolveAfter: 2 };
