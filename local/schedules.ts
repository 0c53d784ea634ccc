/**
 * EventBridge Scheduler stand-in: every `AWS::Scheduler::Schedule` of the templates that targets
 * a local function invokes that function's sandbox with the schedule's `Input` (or `{}`) at its
 * `rate(…)`, and `run()` invokes one now (the dev route `POST /local/schedules/<id>/run`).
 * `cron(…)` and `at(…)` schedules are only run on demand. Times are the local clock's: when it is
 * moved, a rate schedule that came due runs once at once and keeps its rate from the new time.
 */
import type { LocalSchedule, RegionKey } from './assembly';
import type { InvokeError, LambdaSandbox } from './lambda-runtime';

const units: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * `rate(15 minutes)` → 900000 ms. Scheduler's grammar: a positive integer, then `minute`, `hour`
 * or `day`, singular for 1 and plural otherwise. Anything else (cron, at, a typo) → undefined.
 */
export function parseRate(expression: string): number | undefined {
  const match = /^rate\(\s*(\d+)\s+(minute|hour|day)(s?)\s*\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const plural = match[3] === 's';
  if (value < 1 || plural !== value > 1) return undefined;
  return value * units[match[2]!]!;
}

export interface ScheduleRun {
  readonly schedule: string;
  readonly function: string;
  readonly functionName: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: InvokeError;
}

export interface ScheduleStatus {
  /** `<stack>/<logical id>` */
  readonly id: string;
  readonly region: RegionKey;
  readonly logicalId: string;
  readonly function: string;
  readonly functionName: string;
  readonly expression: string;
  readonly state: 'scheduled' | 'disabled' | 'on demand only' | 'stopped';
  readonly everyMs?: number;
  readonly nextRunAt?: string;
  readonly runs: number;
  readonly lastRun?: ScheduleRun;
}

export interface Schedules {
  /**
   * Runs the schedule `id` of `region` now and waits for the function: `id` is the schedule's
   * logical id, its target function's logical id or the function's local name; `input` replaces
   * the schedule's Input for this run (as a console test invoke would). Undefined: none.
   */
  run(region: RegionKey, id: string, input?: unknown): Promise<ScheduleRun> | undefined;
  /**
   * The clock was moved forward: every timed schedule that came due runs once now (not once per
   * period skipped: a run reads the moved clock, so one covers them all) and next a period from
   * now; the others keep their due time, now nearer. Resolves with the runs it started.
   */
  clockAdvanced(): Promise<(ScheduleRun & { readonly region: RegionKey })[]>;
  status(region?: RegionKey): ScheduleStatus[];
  stop(): void;
}

export function startSchedules(options: {
  readonly schedules: readonly LocalSchedule[];
  /** function key → sandbox, the ones the routers use */
  readonly sandboxes: ReadonlyMap<string, LambdaSandbox>;
  /** false: on demand only (no timers) */
  readonly timers?: boolean;
  /** the local clock (epoch ms). @default Date.now */
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}): Schedules {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  let stopped = false;
  const entries = options.schedules.map((schedule) => {
    const sandbox = options.sandboxes.get(schedule.functionKey);
    if (!sandbox)
      throw new Error(
        `${schedule.stackName}/${schedule.logicalId}: its target ${schedule.functionKey} has no local bundle`,
      );
    const everyMs = parseRate(schedule.expression);
    return {
      schedule,
      sandbox,
      everyMs,
      runs: 0,
      lastRun: undefined as ScheduleRun | undefined,
      timer: undefined as NodeJS.Timeout | undefined,
      nextRunAt: undefined as Date | undefined,
    };
  });

  const invoke = async (entry: (typeof entries)[number], input = entry.schedule.input): Promise<ScheduleRun> => {
    const startedAt = new Date(now()).toISOString();
    const started = Date.now();
    const outcome = await entry.sandbox.invoke(input);
    const run: ScheduleRun = {
      schedule: entry.schedule.logicalId,
      function: entry.sandbox.fn.logicalId,
      functionName: entry.sandbox.fn.name,
      startedAt,
      durationMs: Date.now() - started,
      ...('error' in outcome ? { error: outcome.error } : { result: outcome.result }),
    };
    entry.runs += 1;
    entry.lastRun = run;
    const tail = run.error ? `failed: ${run.error.errorType}: ${run.error.errorMessage}` : 'ok';
    log(
      `${entry.schedule.regionKey} scheduler ${entry.schedule.logicalId} → ${entry.sandbox.fn.name} ${tail} ${run.durationMs} ms`,
    );
    return run;
  };

  type Entry = (typeof entries)[number];
  const timed = entries.filter(
    (e): e is Entry & { everyMs: number } => e.schedule.enabled && e.everyMs !== undefined && options.timers !== false,
  );
  const arm = (entry: Entry & { everyMs: number }, delayMs: number) => {
    clearTimeout(entry.timer);
    entry.nextRunAt = new Date(now() + delayMs);
    entry.timer = setTimeout(() => {
      if (stopped) return;
      arm(entry, entry.everyMs);
      // Scheduler invokes asynchronously: a failed run is logged, not retried (Lambda's async
      // retries and the dead-letter queue are not emulated).
      void invoke(entry);
    }, delayMs);
    entry.timer.unref();
  };
  // A rate schedule first fires one period after its creation, then every period.
  for (const entry of timed) arm(entry, entry.everyMs);

  return {
    run(region, id, input) {
      const entry = entries.find(
        (e) =>
          e.schedule.regionKey === region &&
          (e.schedule.logicalId === id || e.sandbox.fn.logicalId === id || e.sandbox.fn.name === id),
      );
      return entry ? invoke(entry, input ?? entry.schedule.input) : undefined;
    },
    clockAdvanced() {
      if (stopped) return Promise.resolve([]);
      const due: Promise<ScheduleRun & { region: RegionKey }>[] = [];
      for (const entry of timed) {
        const leftMs = (entry.nextRunAt?.getTime() ?? 0) - now();
        if (leftMs > 0) {
          arm(entry, leftMs);
        } else {
          arm(entry, entry.everyMs);
          due.push(invoke(entry).then((run) => ({ region: entry.schedule.regionKey, ...run })));
        }
      }
      return Promise.all(due);
    },
    status(region) {
      return entries
        .filter((e) => region === undefined || e.schedule.regionKey === region)
        .map((e) => ({
          id: `${e.schedule.stackName}/${e.schedule.logicalId}`,
          region: e.schedule.regionKey,
          logicalId: e.schedule.logicalId,
          function: e.sandbox.fn.logicalId,
          functionName: e.sandbox.fn.name,
          expression: e.schedule.expression,
          state: stopped ? 'stopped' : !e.schedule.enabled ? 'disabled' : e.timer ? 'scheduled' : 'on demand only',
          ...(e.everyMs !== undefined && { everyMs: e.everyMs }),
          ...(e.timer && e.nextRunAt && !stopped && { nextRunAt: e.nextRunAt.toISOString() }),
          runs: e.runs,
          ...(e.lastRun && { lastRun: e.lastRun }),
        }));
    },
    stop() {
      stopped = true;
      for (const entry of entries) clearTimeout(entry.timer);
    },
  };
}
