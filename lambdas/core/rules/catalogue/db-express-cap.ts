/**
 * db-express-cap: a SQL Server Express database nearing the edition's size cap, with its growth
 * over the last days (one size a day, growth.ts) to say when it reaches the cap.
 */
import * as z from 'zod/mini';
import { expressCapBytes, expressCapsSchema, isExpressEdition } from './express-cap';
import { daysUntil, growthOf, recordSize } from './growth';
import { defineRule, STATE_FACT, type RuleMemory, type Signal } from '../rule';

const DAY = 86_400_000;
const SERIES = 'db:';

/** a database no longer reported (dropped, renamed) loses its series once its newest size is out of the window */
function forgetStale(memory: RuleMemory, before: number): void {
  for (const key of memory.keys()) {
    if (!key.startsWith(SERIES)) continue;
    const series = memory.series(key);
    if (series.length > 0 && series[series.length - 1]!.t < before) memory.forget(key);
  }
}

export const rule = defineRule({
  id: 'db-express-cap',
  description: 'SQL Server Express database nearing its size cap (10 GB up to SQL 2022, 50 GB from SQL 2025)',
  reads: ['ucx.database_server', 'ucx.database'],
  fields: ['ucx.database_server:edition', 'ucx.database_server:version', 'ucx.database:name', 'ucx.database:sizeBytes'],
  config: z.object({
    capsByMajorVersion: expressCapsSchema,
    warnRatio: z._default(z.number().check(z.gte(0), z.lte(1)), 0.8),
    criticalRatio: z._default(z.number().check(z.gte(0), z.lte(1)), 0.9),
    /** the growth the message names: the last this many days, one size a day kept (bounded state) */
    growthDays: z._default(z.int().check(z.gte(2), z.lte(60)), 14),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Database {subject} near the SQL Server Express cap',
    message:
      'SQL Server Express database {subject} is at {sizeBytes|gb} of its {capBytes|gb} cap ({percent|percent})[; at the growth of the last {growthDays|days} it reaches the cap in about {daysToCap|days}].',
    nextStep:
      'Plan a move to SQL Server Standard, or archive or purge old call data (recordings, call history) to keep {subject} below the cap: at the cap SQL Server refuses writes and the suite stops saving.',
    chart: {
      series: 'database:{subject}:sizeBytes',
      thresholds: [
        { label: 'cap {capBytes|gb}', value: 'capBytes' },
        { label: 'warning at {warnPercent|percent}', value: 'warnBytes' },
      ],
      forecast: { inDays: 'daysToCap', value: 'capBytes' },
    },
  },
  evaluate({ beat, at, memory, config }): Signal[] {
    if (beat.type === 'ucx.database_server') {
      memory.setFact('server', { edition: beat.data.edition, version: beat.data.version });
      return [];
    }
    if (beat.type !== 'ucx.database') return [];
    const server = memory.fact<{ edition: string; version: string }>('server');
    if (!server) return []; // the edition is not known yet: nothing to judge
    const subject = beat.data.name;
    if (!isExpressEdition(server.edition)) return [{ subject, severity: null, evidence: { edition: server.edition } }];
    const capBytes = expressCapBytes(config.capsByMajorVersion, server.version);
    if (capBytes === undefined) return []; // a version no cap entry covers: nothing to judge
    const { sizeBytes } = beat.data;
    const ratio = sizeBytes / capBytes;
    const severity = ratio >= config.criticalRatio ? 'critical' : ratio >= config.warnRatio ? 'warning' : null;

    // one size a day; the fit takes today's size too, so the growth is known from the second day
    const key = SERIES + subject;
    const before = memory.series(key);
    const kept = recordSize(memory, key, { t: at, v: sizeBytes }, DAY, config.growthDays + 1);
    if (kept !== before) forgetStale(memory, at - (config.growthDays + 1) * DAY);
    const last = kept[kept.length - 1];
    const growth = growthOf(last?.t === at ? kept : [...kept, { t: at, v: sizeBytes }], at, config.growthDays);
    const known = growth.points >= 2 && growth.spanHours >= 24;
    const daysToCap = known ? daysUntil(capBytes, sizeBytes, growth.bytesPerDay) : Infinity;
    const evidence = {
      sizeBytes,
      capBytes,
      percent: Math.round(ratio * 1000) / 10,
      version: server.version,
      warnBytes: Math.round(capBytes * config.warnRatio),
      warnPercent: Math.round(config.warnRatio * 1000) / 10,
      // null: not growing, or not known yet
      daysToCap: Number.isFinite(daysToCap) ? Math.round(daysToCap) : null,
      growthDays: known ? Math.round(growth.spanHours / 24) : null,
    };
    return [{ subject, severity, evidence }];
  },
});
