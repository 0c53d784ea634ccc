/** service-stopped: a suite service with Automatic start is not running. */
import * as z from 'zod/mini';
import { COUNTER, defineRule, type Signal } from '../rule';
import { clearVanished } from './subjects';
import { namePattern, namePatternSchema, severitySchema, SUITE_SERVICES_WITH_SQL } from './suite-names';

/** fact: names of the suite services whose start mode is `auto` (delayed start is exempt) */
const AUTOMATIC = 'automatic';
const MAX_SERVICES = 64;
const NONE: readonly string[] = [];
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
const RUNNING = /^running$/i;

export const rule = defineRule({
  id: 'service-stopped',
  description: 'A suite service with Automatic start is not running for 3 consecutive beats (delayed start exempt)',
  reads: ['software.windows_services', 'processes.windows_services'],
  fields: [
    'software.windows_services:services[].name',
    'software.windows_services:services[].startMode',
    'processes.windows_services:services[].name',
    'processes.windows_services:services[].status',
  ],
  config: z.object({
    servicePattern: namePatternSchema(SUITE_SERVICES_WITH_SQL),
    severity: z._default(severitySchema, 'warning'),
  }),
  // 3 consecutive beats (*anchor*: Zabbix 3 polls)
  hysteresis: COUNTER,
  explain: {
    title: 'Service {subject} is not running',
    message: 'The service {subject} is set to start automatically, but its status is {status}.',
    nextStep: "Start the service, and look in the Windows event log and the suite's log for why it stopped.",
  },
  evaluate({ beat, late, memory, config }) {
    if (late) return NO_SIGNALS; // the start modes and statuses that count are the newest
    const automatic = memory.fact<readonly string[]>(AUTOMATIC) ?? NONE;
    const pattern = namePattern(config.servicePattern);

    if (beat.type === 'software.windows_services') {
      const now: string[] = [];
      for (const s of beat.data.services)
        if (s.startMode === 'auto' && pattern.test(s.name) && !now.includes(s.name) && now.length < MAX_SERVICES)
          now.push(s.name);
      if (now.length !== automatic.length || now.some((name) => !automatic.includes(name)))
        memory.setFact(AUTOMATIC, now);
      return NO_SIGNALS; // judged on the next status beat
    }

    if (beat.type !== 'processes.windows_services') return NO_SIGNALS;
    const signals: Signal[] = [];
    if (automatic.length > 0)
      for (const s of beat.data.services) {
        if (!pattern.test(s.name) || !automatic.includes(s.name) || signals.some((x) => x.subject === s.name)) continue;
        signals.push({
          subject: s.name,
          severity: RUNNING.test(s.status) ? null : config.severity,
          evidence: { status: s.status },
        });
      }
    // a service no longer Automatic, or no longer listed (uninstalled), gets its clears and is forgotten
    return clearVanished(memory, signals, COUNTER.resolveAfter);
  },
});
