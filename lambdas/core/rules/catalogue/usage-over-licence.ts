/** usage-over-licence: consoles, recordings or IVR calls in use near or above the licensed capacity. */
import * as z from 'zod/mini';
import type { Product } from '../../licensing/catalogue';
import { COUNTER, defineRule, type LicenceFacts, type Signal } from '../rule';

const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

/** licensed capacity of a product at `at`: perpetual lines, and subscription lines not yet expired */
export function capacityOf(licence: LicenceFacts, product: Product, at: number): number {
  let capacity = 0;
  for (const line of licence.products)
    if (
      line.product === product &&
      (line.kind !== 'subscription' || !line.expiresAt || Date.parse(line.expiresAt) > at)
    )
      capacity += line.capacity;
  return capacity;
}

export const rule = defineRule({
  id: 'usage-over-licence',
  description: 'In-use attendant consoles, recordings or IVR calls above (warning) or at 90 % (info) of the licence',
  reads: ['ucx.attendant_console', 'ucx.call_recording', 'ucx.ivr'],
  fields: [
    'ucx.attendant_console:connected[].count',
    'ucx.call_recording:activeRecordings',
    'ucx.ivr:activeCalls',
    'licence:products',
  ],
  config: z.object({
    /** strictly above this share of the capacity: warning (*anchor*: telephony SBC licence-use alarms) */
    warnAboveRatio: z._default(z.number().check(z.positive()), 1),
    /** from this share: info */
    infoFromRatio: z._default(z.number().check(z.positive()), 0.9),
  }),
  // live counts swing: 3 consecutive beats, as for counters
  hysteresis: COUNTER,
  explain: {
    title: '{subject|product}: {inUse|count} in use of {capacity|count} licensed',
    message: '{subject|product} has {inUse|count} in use against {capacity|count} licensed ({percent|percent}).',
    nextStep: 'Order more {subject|product} capacity before users are refused, or look for sessions left open.',
    variants: [
      {
        when: { subject: 'attendant-console' },
        message: '{inUse|plural:attendant console} connected against {capacity|count} licensed ({percent|percent}).',
        chart: { series: 'consoles:connected', thresholds: [{ label: 'licensed {capacity}', value: 'capacity' }] },
      },
      {
        when: { subject: 'call-recording' },
        message: '{inUse|plural:call} recorded at once against {capacity|count} licensed ({percent|percent}).',
        chart: {
          series: 'calls:call-recording:active',
          thresholds: [{ label: 'licensed {capacity}', value: 'capacity' }],
        },
      },
      {
        when: { subject: 'ivr' },
        message: '{inUse|plural:call} in the IVR at once against {capacity|count} licensed ({percent|percent}).',
        chart: { series: 'calls:ivr:active', thresholds: [{ label: 'licensed {capacity}', value: 'capacity' }] },
      },
    ],
  },
  evaluate({ beat, at, licence, config }) {
    let product: Product;
    let inUse = 0;
    if (beat.type === 'ucx.attendant_console') {
      product = 'attendant-console';
      for (const c of beat.data.connected) inUse += c.count;
    } else if (beat.type === 'ucx.call_recording') {
      product = 'call-recording';
      inUse = beat.data.activeRecordings;
    } else if (beat.type === 'ucx.ivr') {
      product = 'ivr';
      inUse = beat.data.activeCalls;
    } else return NO_SIGNALS;
    const capacity = capacityOf(licence, product, at);
    // nothing licensed: no capacity to compare with (the suite refuses unlicensed use itself)
    const ratio = capacity > 0 ? inUse / capacity : 0;
    const severity = ratio > config.warnAboveRatio ? 'warning' : ratio >= config.infoFromRatio ? 'info' : null;
    return [{ subject: product, severity, evidence: { inUse, capacity, percent: Math.round(ratio * 1000) / 10 } }];
  },
});
