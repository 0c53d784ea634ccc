/** curri-rate: Phone Lock's or Contact Manager's ECC/CURRI request rate far above normal (load on CUCM). */
import * as z from 'zod/mini';
import { COUNTER, defineRule, type Signal } from '../rule';
import { baselineKeys, BASELINE_DAYS, hourOfDayMedian, recordHourly } from './hourly-baseline';
import { severitySchema } from './suite-names';

const PHONE_LOCK = baselineKeys('phone-lock');
const CONTACT_MANAGER = baselineKeys('contact-manager');
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

export const rule = defineRule({
  id: 'curri-rate',
  description: 'CURRI requests per minute above 3× the median of the same hour over the last 7 days, 3 beats in a row',
  reads: ['ucx.phone_lock', 'ucx.contact_manager'],
  fields: ['ucx.phone_lock:curriRequestsPerMinute', 'ucx.contact_manager:curriRequestsPerMinute'],
  config: z.object({
    /** strictly above this multiple of the median (*proposal*) */
    factor: z._default(z.number().check(z.positive()), 3),
    minHistoryDays: z._default(z.int().check(z.gte(1), z.lte(BASELINE_DAYS)), 5),
    /** a quiet hour's median is near 0: a rate below this is never a surge */
    minRequestsPerMinute: z._default(z.number().check(z.gte(0)), 10),
    severity: z._default(severitySchema, 'warning'),
  }),
  hysteresis: COUNTER,
  explain: {
    title: '{subject|product} CURRI requests far above normal',
    message:
      '{subject|product} sends CUCM {requestsPerMinute|count} CURRI requests a minute, far above the usual {median|count} at this hour (the median of the last 7 days).',
    nextStep:
      "Look for a loop in CUCM's External Call Control profile and route patterns, and in the suite's log for repeated requests: a high rate loads CUCM.",
  },
  evaluate({ beat, at, memory, config }) {
    let subject: string;
    if (beat.type === 'ucx.phone_lock') subject = 'phone-lock';
    else if (beat.type === 'ucx.contact_manager') subject = 'contact-manager';
    else return NO_SIGNALS;
    const keys = beat.type === 'ucx.phone_lock' ? PHONE_LOCK : CONTACT_MANAGER;
    const rate = beat.data.curriRequestsPerMinute;
    const median = hourOfDayMedian(memory, keys, at, config.minHistoryDays);
    recordHourly(memory, keys, at, rate);
    const surging = median !== undefined && rate >= config.minRequestsPerMinute && rate > config.factor * median;
    return [
      {
        subject,
        severity: surging ? config.severity : null,
        evidence: { requestsPerMinute: rate, median: median ?? null },
      },
    ];
  },
});
