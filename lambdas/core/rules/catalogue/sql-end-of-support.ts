/** sql-end-of-support: the SQL Server version is past or near the end of its (extended) support. */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const DAY = 86_400_000;
const severity = z.enum(['info', 'warning', 'critical']);

/**
 * Microsoft lifecycle (Fixed Lifecycle Policy), END OF EXTENDED SUPPORT, by the major version
 * `ucx.database_server` reports (12.0.x = 2014 ... 17.0.x = 2025). Extended Security Updates not counted.
 */
const lifecycle = [
  { name: 'SQL Server 2014', major: 12, endOfSupport: '2024-07-09' },
  { name: 'SQL Server 2016', major: 13, endOfSupport: '2026-07-14' },
  { name: 'SQL Server 2017', major: 14, endOfSupport: '2027-10-12' },
  { name: 'SQL Server 2019', major: 15, endOfSupport: '2030-01-08' },
  { name: 'SQL Server 2022', major: 16, endOfSupport: '2033-01-11' },
  { name: 'SQL Server 2025', major: 17, endOfSupport: '2036-01-06' },
];

export const rule = defineRule({
  id: 'sql-end-of-support',
  description: 'SQL Server version past or near the end of its extended support (warn 180 days before)',
  reads: ['ucx.database_server'],
  fields: ['ucx.database_server:version'],
  config: z.object({
    lifecycle: z._default(
      z.array(z.object({ name: z.string(), major: z.int(), endOfSupport: z.iso.date() })),
      lifecycle,
    ),
    warnDays: z._default(z.number().check(z.gte(0)), 180),
    nearSeverity: z._default(severity, 'warning'),
    pastSeverity: z._default(severity, 'critical'),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: '{product}: extended support ends {endOfSupport|date}',
    message:
      "The suite's database server is {product} ({version}); Microsoft's extended support for it ends on {endOfSupport|date} ({daysLeft|relativeDays}), and after that there are no security updates.",
    nextStep:
      "Plan an upgrade to a supported SQL Server version; the suite's release notes list the versions it supports.",
  },
  evaluate({ beat, at, config }): readonly Signal[] {
    if (beat.type !== 'ucx.database_server') return [];
    const { version } = beat.data;
    const major = Number.parseInt(version, 10);
    const entry = config.lifecycle.find((e) => e.major === major);
    if (!entry) return [{ subject: 'installation', severity: null, evidence: { version, known: false } }];
    const daysLeft = Math.floor((Date.parse(entry.endOfSupport) - at) / DAY);
    const evidence = { version, product: entry.name, endOfSupport: entry.endOfSupport, daysLeft };
    const level = daysLeft < 0 ? config.pastSeverity : daysLeft < config.warnDays ? config.nearSeverity : null;
    return [{ subject: 'installation', severity: level, evidence }];
  },
});
