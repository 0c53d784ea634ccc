/**
 * db-growth-forecast: a SQL Server Express database that will reach the edition's size cap within
 * 30 days at its current growth (a least-squares line over its recent sizes, Zabbix `timeleft` style).
 */
import * as z from 'zod/mini';
import { expressCapBytes, expressCapsSchema, isExpressEdition } from './express-cap';
import { daysUntil, growthOf, recordSize } from './growth';
import { defineRule, STATE_FACT, type RuleMemory, type Signal } from '../rule';

const NONE: readonly Signal[] = [];

const SERIES = 'db:';
const SEEN = 'seen:';
const GONE = 'gone:';
const ROUND = 'round';
const ROUND_AT = 'roundAt';
/** database beats of one collection arrive within seconds; a later one starts a new round */
const ROUND_GAP_MS = 10 * 60_000;

/**
 * One database per `ucx.database` beat, so a dropped or renamed database shows only by its
 * absence. Beats are grouped into collection rounds; a database missing from `forgetAfterRounds`
 * rounds in a row while others were reported is forgotten (its series `db:<name>` too) and gets
 * `resolveAfter` clear signals, one per round, so its finding resolves. A silent installation has
 * no rounds, so coming back from a silence drops nothing. Shared by the per-database rules
 * (db-maintenance-overdue, db-fulltext). Returns false for a late beat of a database it does not
 * track (the caller should not remember anything about it).
 */
export function trackDatabase(
  memory: RuleMemory,
  name: string,
  at: number,
  late: boolean,
  forgetAfterRounds: number,
  resolveAfter: number,
  out: Signal[],
): boolean {
  const seenKey = SEEN + name;
  if (late) return memory.fact(seenKey) !== undefined; // a late beat's signals count for nothing
  let round = memory.fact<number>(ROUND) ?? 0;
  const roundAt = memory.fact<number>(ROUND_AT);
  if (roundAt === undefined || at - roundAt >= ROUND_GAP_MS) {
    memory.setFact(ROUND, ++round);
    memory.setFact(ROUND_AT, at);
    for (const key of memory.keys()) {
      if (key.startsWith(GONE)) {
        const left = memory.fact<number>(key) ?? 1;
        out.push({ subject: key.slice(GONE.length), severity: null, evidence: { reported: false } });
        if (left <= 1) memory.forget(key);
        else memory.setFact(key, left - 1);
      } else if (
        key !== seenKey &&
        key.startsWith(SEEN) &&
        round - 1 - (memory.fact<number>(key) ?? 0) >= forgetAfterRounds
      ) {
        const other = key.slice(SEEN.length);
        memory.forget(key);
        memory.forget(SERIES + other);
        out.push({ subject: other, severity: null, evidence: { reported: false } });
        if (resolveAfter > 1) memory.setFact(GONE + other, resolveAfter - 1);
      }
    }
  }
  memory.setFact(seenKey, round);
  if (memory.fact(GONE + name) !== undefined) memory.forget(GONE + name);
  return true;
}

const hysteresis = STATE_FACT;

export const rule = defineRule({
  id: 'db-growth-forecast',
  description: 'SQL Server Express database will reach its size cap within 30 days at its current growth',
  reads: ['ucx.database_server', 'ucx.database'],
  // edition and version give the Express cap (as db-express-cap)
  fields: ['ucx.database_server:edition', 'ucx.database_server:version', 'ucx.database:name', 'ucx.database:sizeBytes'],
  config: z.object({
    capsByMajorVersion: expressCapsSchema,
    /** warn when the cap is reached within this many days */
    horizonDays: z._default(z.number().check(z.positive()), 30),
    /** the fit needs at least this many points ... */
    minPoints: z._default(z.int().check(z.gte(2)), 3),
    /** ... spanning at least this long */
    minSpanHours: z._default(z.number().check(z.positive()), 24),
    /** only points this recent count as "current growth" */
    windowDays: z._default(z.number().check(z.positive()), 14),
    /** points closer than this to a kept one are not stored (dense beats do not crowd out the span) */
    minSpacingMinutes: z._default(z.number().check(z.gte(0)), 60),
    maxPoints: z._default(z.int().check(z.gte(3), z.lte(500)), 72),
    /** a database missing from this many collection rounds while others were reported is forgotten, its finding resolved */
    forgetAfterRounds: z._default(z.int().check(z.gte(1)), 6),
    severity: z._default(z.enum(['info', 'warning', 'critical']), 'warning'),
  }),
  hysteresis,
  explain: {
    title: 'Database {subject} reaches the SQL Server Express cap in about {daysToCap|days}',
    message:
      'SQL Server Express database {subject} grows about {growthBytesPerDay|bytes} a day; at {sizeBytes|gb} of its {capBytes|gb} cap it reaches the cap in about {daysToCap|days}.',
    nextStep:
      'Find what grows (recordings, call history, logs kept in the database) and archive or purge it, or plan a move to SQL Server Standard before the cap stops the suite writing.',
    chart: {
      series: 'database:{subject}:sizeBytes',
      thresholds: [{ label: 'cap {capBytes|gb}', value: 'capBytes' }],
      forecast: { inDays: 'daysToCap', value: 'capBytes' },
    },
  },
  // a late beat's size lands in time order on its database's series
  mergesLateBeats: true,
  evaluate({ beat, at, late, memory, config }): readonly Signal[] {
    if (beat.type === 'ucx.database_server') {
      memory.setFact('edition', beat.data.edition);
      memory.setFact('version', beat.data.version);
      return NONE;
    }
    if (beat.type !== 'ucx.database') return NONE;
    const { name, sizeBytes } = beat.data;
    const signals: Signal[] = [];
    if (!trackDatabase(memory, name, at, late, config.forgetAfterRounds, hysteresis.resolveAfter, signals)) return NONE;

    const series = recordSize(
      memory,
      SERIES + name,
      { t: at, v: sizeBytes },
      config.minSpacingMinutes * 60_000,
      config.maxPoints,
    );

    const edition = memory.fact<string>('edition');
    if (edition === undefined) return signals; // the edition is not known yet: nothing to judge
    if (!isExpressEdition(edition)) {
      signals.push({ subject: name, severity: null, evidence: { edition } });
      return signals;
    }
    const capBytes = expressCapBytes(config.capsByMajorVersion, memory.fact<string>('version') ?? '');
    if (capBytes === undefined) return signals;

    const growth = growthOf(series, at, config.windowDays);
    if (growth.points < config.minPoints || growth.spanHours < config.minSpanHours) {
      signals.push({
        subject: name,
        severity: null,
        evidence: { points: growth.points, spanHours: Math.round(growth.spanHours) },
      });
      return signals;
    }
    // not growing: never reaches it (a database already over the cap is db-express-cap's finding)
    const daysToCap = daysUntil(capBytes, sizeBytes, growth.bytesPerDay);
    const evidence = {
      sizeBytes,
      capBytes,
      growthBytesPerDay: Math.round(growth.bytesPerDay),
      daysToCap: Number.isFinite(daysToCap) ? Math.round(daysToCap * 10) / 10 : null,
      points: growth.points,
    };
    signals.push({ subject: name, severity: daysToCap <= config.horizonDays ? config.severity : null, evidence });
    return signals;
  },
});
