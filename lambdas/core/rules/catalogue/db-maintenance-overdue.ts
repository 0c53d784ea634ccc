/** db-maintenance-overdue: the database's last maintenance is too old. */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';
import { trackDatabase } from './db-growth-forecast';

const DAY = 86_400_000;

const hysteresis = STATE_FACT;
const severity = z.enum(['info', 'warning', 'critical']);

export const rule = defineRule({
  id: 'db-maintenance-overdue',
  description: 'Last database maintenance too old (warn 7 days, critical 14 days)',
  reads: ['ucx.database'],
  fields: ['ucx.database:name', 'ucx.database:lastMaintenanceAt'],
  config: z.object({
    warnDays: z._default(z.number().check(z.positive()), 7),
    criticalDays: z._default(z.number().check(z.positive()), 14),
    /** a database that reports no maintenance at all; null to ignore */
    neverMaintained: z._default(z.nullable(severity), 'warning'),
    /** a database missing from this many collection rounds while others were reported is forgotten, its finding resolved */
    forgetAfterRounds: z._default(z.int().check(z.gte(1)), 6),
  }),
  hysteresis,
  explain: {
    title: 'Database {subject} not maintained for {ageDays|days}',
    message:
      'The last maintenance of database {subject} (index rebuild, statistics, integrity check) ran on {lastMaintenanceAt|date}, {ageDays|days} ago.',
    nextStep:
      "Check that the suite's database maintenance job (a SQL Server Agent job, or the Windows scheduled task on Express) is scheduled and succeeds, then run it once.",
    variants: [
      {
        when: { lastMaintenanceAt: null },
        title: 'Database {subject} has no maintenance on record',
        message: 'Database {subject} reports no maintenance run at all (index rebuild, statistics, integrity check).',
      },
    ],
  },
  evaluate({ beat, at, late, memory, config }): readonly Signal[] {
    if (beat.type !== 'ucx.database') return [];
    const { name, lastMaintenanceAt } = beat.data;
    const signals: Signal[] = [];
    if (!trackDatabase(memory, name, at, late, config.forgetAfterRounds, hysteresis.resolveAfter, signals)) return [];
    if (lastMaintenanceAt === null) {
      signals.push({ subject: name, severity: config.neverMaintained, evidence: { lastMaintenanceAt: null } });
      return signals;
    }
    const ageDays = (at - Date.parse(lastMaintenanceAt)) / DAY;
    const evidence = { lastMaintenanceAt, ageDays: Math.floor(ageDays * 10) / 10 };
    signals.push({
      subject: name,
      severity: ageDays >= config.criticalDays ? 'critical' : ageDays >= config.warnDays ? 'warning' : null,
      evidence,
    });
    return signals;
  },
});
