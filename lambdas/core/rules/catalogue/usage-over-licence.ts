/** usage-over-licence: consoles, recordings or IVR calls in use near or above the licensed capacity. */
import * as z from 'zod';
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
    warnAboveRatio: z.number().positive().default(1),
    /** from this share: info */
    infoFromRatio: z.number().positive().default(0.9),
  }),
  // live counts swing: 3 consecutive beats, as for counters
  hysteresis: COUNTER,
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
