/** process-memory-leak: a suite process's used memory keeps growing (same name and pid). */
import { defineRule, STATE_FACT } from '../rule';
import { evaluateTrend, trendConfig } from './process-trend';

export const rule = defineRule({
  id: 'process-memory-leak',
  description:
    'Used memory of a suite process grows monotonically for an hour (6 samples) faster than a set rate (same pid)',
  reads: ['processes.running'],
  fields: [
    'processes.running:processes[].name',
    'processes.running:processes[].pid',
    'processes.running:processes[].memoryBytes',
  ],
  /** minRatePerHour: bytes per hour (10 MiB) (*proposal*) */
  config: trendConfig(10 * 1024 ** 2),
  // the trend already spans minHours: one judgement opens, two clear ones resolve
  hysteresis: STATE_FACT,
  explain: {
    title: 'Memory leak in {subject}',
    message:
      'The memory used by {subject} (pid {pid}) grew from {from|bytes} to {to|bytes} over {hours|hours}, about {perHour|bytes} an hour, without falling back.',
    nextStep:
      "Restart {subject} in a quiet hour to free the memory, and send the suite's logs to support so the leak gets fixed.",
    chart: { series: 'process:{subject}:memoryBytes' },
  },
  // a late beat's point lands in time order on its series
  mergesLateBeats: true,
  evaluate: (ctx) => evaluateTrend(ctx, 'memoryBytes', STATE_FACT.resolveAfter),
});
