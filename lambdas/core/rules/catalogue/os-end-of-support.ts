/** os-end-of-support: the Windows version is past or near the end of its (extended) support. */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';
import { startsWithComponents } from './suite-outdated';

const DAY = 86_400_000;
const severity = z.enum(['info', 'warning', 'critical']);

/**
 * Microsoft lifecycle (Fixed Lifecycle Policy), END OF EXTENDED SUPPORT, by the version
 * `software.os` reports (major.minor.build). Extended Security Updates bought on top are not counted.
 */
const lifecycle = [
  { name: 'Windows Server 2012 R2', version: '6.3.9600', endOfSupport: '2023-10-10' },
  { name: 'Windows Server 2016', version: '10.0.14393', endOfSupport: '2027-01-12' },
  { name: 'Windows Server 2019', version: '10.0.17763', endOfSupport: '2029-01-09' },
  { name: 'Windows Server 2022', version: '10.0.20348', endOfSupport: '2031-10-14' },
  { name: 'Windows Server 2025', version: '10.0.26100', endOfSupport: '2034-10-10' },
];

export const rule = defineRule({
  id: 'os-end-of-support',
  description: 'Windows version past or near the end of its extended support (warn 180 days before)',
  reads: ['software.os'],
  fields: ['software.os:version'],
  config: z.object({
    lifecycle: z._default(
      z.array(z.object({ name: z.string(), version: z.string().check(z.minLength(1)), endOfSupport: z.iso.date() })),
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
      "The server runs {product} (Windows {version}); Microsoft's extended support for it ends on {endOfSupport|date} ({daysLeft|relativeDays}), and after that there are no security updates.",
    nextStep:
      "Plan an upgrade to a supported Windows Server version; the suite's release notes list the versions it supports.",
  },
  evaluate({ beat, at, config }): readonly Signal[] {
    if (beat.type !== 'software.os') return [];
    const { version } = beat.data;
    const entry = config.lifecycle.find((e) => startsWithComponents(version, e.version));
    if (!entry) return [{ subject: 'installation', severity: null, evidence: { version, known: false } }];
    const daysLeft = Math.floor((Date.parse(entry.endOfSupport) - at) / DAY);
    const evidence = { version, product: entry.name, endOfSupport: entry.endOfSupport, daysLeft };
    const level = daysLeft < 0 ? config.pastSeverity : daysLeft < config.warnDays ? config.nearSeverity : null;
    return [{ subject: 'installation', severity: level, evidence }];
  },
});
