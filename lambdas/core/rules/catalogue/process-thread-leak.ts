/** process-thread-leak: a suite process's thread count keeps growing (same name and pid). */
import { defineRule, STATE_FACT } from '../rule';
import { evaluateTrend, trendConfig } from './process-trend';

export const rule = defineRule({
  id: 'process-thread-leak',
  description:
    'Thread count of a suite process grows monotonically for an hour (6 samples) faster than a set rate (same pid)',
  reads: ['processes.running'],
  fields: [
    'processes.running:processes[].name',
    'processes.running:processes[].pid',
    'processes.running:processes[].threadCount',
  ],
  /** minRatePerHour: threads per hour (*proposal*) */
  config: trendConfig(5),
  // the trend already spans minHours: one judgement opens, two clear ones resolve
  hysteresis: STATE_FACT,
  explain: {
    title: 'Thread leak in {subject}',
    message:
      'The thread count of {subject} (pid {pid}) grew from {from|count} to {to|count} over {hours|hours}, about {perHour|count} an hour, without falling back.',
    nextStep:
      "Restart {subject} in a quiet hour to end the threads, and send the suite's logs to support so the leak gets fixed.",
  },
  // a late beat's point lands in time order on its series
  mergesLateBeats: true,
  evaluate: (ctx) => evaluateTrend(ctx, 'threadCount', STATE_FACT.resolveAfter),
});
