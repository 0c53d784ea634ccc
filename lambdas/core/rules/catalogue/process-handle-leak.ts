/** process-handle-leak: a suite process's handle count keeps growing (same name and pid). */
import { defineRule, STATE_FACT } from '../rule';
import { evaluateTrend, trendConfig } from './process-trend';

export const rule = defineRule({
  id: 'process-handle-leak',
  description:
    'Handle count of a suite process grows monotonically for an hour (6 samples) faster than a set rate (same pid)',
  reads: ['processes.running'],
  fields: [
    'processes.running:processes[].name',
    'processes.running:processes[].pid',
    'processes.running:processes[].handleCount',
  ],
  /** minRatePerHour: handles per hour (*proposal*) */
  config: trendConfig(20),
  // the trend already spans minHours: one judgement opens, two clear ones resolve
  hysteresis: STATE_FACT,
  explain: {
    title: 'Handle leak in {subject}',
    message:
      'The handle count of {subject} (pid {pid}) grew from {from|count} to {to|count} over {hours|hours}, about {perHour|count} an hour, without falling back.',
    nextStep:
      "Restart {subject} in a quiet hour to release the handles, and send the suite's logs to support so the leak gets fixed.",
    chart: { series: 'process:{subject}:handleCount' },
  },
  // a late beat's point lands in time order on its series
  mergesLateBeats: true,
  evaluate: (ctx) => evaluateTrend(ctx, 'handleCount', STATE_FACT.resolveAfter),
});
