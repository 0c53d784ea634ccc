/** acd-queue-surge: calls queued far above the installation's usual level at that hour. */
import * as z from 'zod/mini';
import { COUNTER, defineRule, type Signal } from '../rule';
import { baselineKeys, BASELINE_DAYS, hourOfDayMedian, recordHourly } from './hourly-baseline';
import { severitySchema } from './suite-names';

const QUEUED = baselineKeys('queued');
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

export const rule = defineRule({
  id: 'acd-queue-surge',
  description: 'ACD queued calls above 3× the median of the same hour over the last 7 days, 3 beats in a row',
  reads: ['ucx.acd'],
  fields: ['ucx.acd:fifoQueued', 'ucx.acd:campOnQueued'],
  config: z.object({
    /** strictly above this multiple of the median (*proposal*) */
    factor: z._default(z.number().check(z.positive()), 3),
    /** days of the last 7 with this hour on record before the rule judges */
    minHistoryDays: z._default(z.int().check(z.gte(1), z.lte(BASELINE_DAYS)), 5),
    /** a quiet hour's median is near 0: fewer queued calls than this is never a surge */
    minQueued: z._default(z.int().check(z.gte(0)), 5),
    severity: z._default(severitySchema, 'warning'),
  }),
  // 3 consecutive beats (the table's "3 consecutive rises")
  hysteresis: COUNTER,
  explain: {
    title: 'ACD queue surge',
    message:
      '{queued|plural:call} queued in the ACD (first-in-first-out and camp-on), far above the usual {median|count} at this hour (the median of the last 7 days).',
    nextStep:
      'Check that enough agents are signed in and available, and that no queue lost its agents after a CUCM or suite restart.',
    chart: { series: 'queue:acd-fifo:length' },
  },
  evaluate({ beat, at, memory, config }) {
    if (beat.type !== 'ucx.acd') return NO_SIGNALS;
    const queued = beat.data.fifoQueued + beat.data.campOnQueued;
    const median = hourOfDayMedian(memory, QUEUED, at, config.minHistoryDays);
    recordHourly(memory, QUEUED, at, queued);
    const surging = median !== undefined && queued >= config.minQueued && queued > config.factor * median;
    return [
      { subject: 'acd', severity: surging ? config.severity : null, evidence: { queued, median: median ?? null } },
    ];
  },
});
