/** process-cpu-sustained: a suite process (or the suite's SQL Server) pegs the machine's CPU. */
import * as z from 'zod/mini';
import { defineRule, type Signal } from '../rule';
import { MAX_TRACKED_PROCESSES } from './process-trend';
import { clearVanished } from './subjects';
import { namePattern, namePatternSchema, severitySchema, SUITE_PROCESSES_WITH_SQL } from './suite-names';

const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
// 5 consecutive beats (*anchor*: Zabbix 90 % for 5 min); the engine counts them
const HYSTERESIS = { openAfter: 5, resolveAfter: 2 } as const;

export const rule = defineRule({
  id: 'process-cpu-sustained',
  description: 'A suite process uses more than 90 % of the CPU for 5 consecutive beats',
  reads: ['processes.running'],
  fields: [
    'processes.running:processes[].name',
    'processes.running:processes[].pid',
    'processes.running:processes[].cpuPercent',
  ],
  config: z.object({
    processPattern: namePatternSchema(SUITE_PROCESSES_WITH_SQL),
    /** share of the whole machine's CPU (the catalogue's cpuPercent), strictly above (*anchor*: Zabbix 90 %) */
    cpuPercentAbove: z._default(z.number().check(z.gte(0), z.lte(100)), 90),
    severity: z._default(severitySchema, 'warning'),
  }),
  hysteresis: HYSTERESIS,
  explain: {
    title: '{subject} keeps the CPU busy',
    message:
      "{subject} (pid {pid}) uses {cpuPercent|percent} of the server's CPU, above {abovePercent|percent} for several collections in a row.",
    nextStep:
      'Check what {subject} is busy with (a stuck job, a loop on CUCM events); restart it if it does not calm down, and send its logs to support.',
    chart: {
      series: 'process:{subject}:cpuPercent',
      thresholds: [{ label: 'limit {abovePercent|percent}', value: 'abovePercent' }],
    },
  },
  evaluate({ beat, late, memory, config }) {
    if (beat.type !== 'processes.running' || late) return NO_SIGNALS;
    const pattern = namePattern(config.processPattern);
    const signals: Signal[] = [];
    for (const p of beat.data.processes) {
      if (!pattern.test(p.name)) continue;
      let index = 0;
      while (index < signals.length && signals[index]!.subject !== p.name) index++;
      if (index < signals.length && (signals[index]!.evidence.cpuPercent as number) >= p.cpuPercent) continue;
      if (index === signals.length && index >= MAX_TRACKED_PROCESSES) continue;
      // several instances of one name: the busiest speaks for the name
      signals[index] = {
        subject: p.name,
        severity: p.cpuPercent > config.cpuPercentAbove ? config.severity : null,
        evidence: { pid: p.pid, cpuPercent: p.cpuPercent, abovePercent: config.cpuPercentAbove },
      };
    }
    return clearVanished(memory, signals, HYSTERESIS.resolveAfter);
  },
});
