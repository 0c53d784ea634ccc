/** fax-stuck: a digital fax counter holds the same non-zero value beat after beat (jobs not moving). */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type RuleMemory, type Signal } from '../rule';
import { severitySchema } from './suite-names';

const HOUR = 3_600_000;
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
const TRANSMITTING = { subject: 'transmitting', value: 'tx:value', beats: 'tx:beats', since: 'tx:since' } as const;
const RECEIVING = { subject: 'receiving', value: 'rx:value', beats: 'rx:beats', since: 'rx:since' } as const;

function judge(
  memory: RuleMemory,
  keys: typeof TRANSMITTING | typeof RECEIVING,
  value: number,
  at: number,
  config: { beats: number; severity: Signal['severity'] },
): Signal {
  const same = memory.fact<number>(keys.value) === value;
  const beats = same ? (memory.fact<number>(keys.beats) ?? 0) + 1 : 1;
  const since = same ? (memory.fact<number>(keys.since) ?? at) : at;
  memory.setFact(keys.value, value);
  memory.setFact(keys.beats, beats);
  memory.setFact(keys.since, since);
  return {
    subject: keys.subject,
    severity: value > 0 && beats >= config.beats ? config.severity : null,
    evidence: { value, beats, hours: Math.round(((at - since) / HOUR) * 10) / 10 },
  };
}

export const rule = defineRule({
  id: 'fax-stuck',
  description: 'Fax transmitting or receiving count unchanged and non-zero for 6 beats',
  reads: ['ucx.digital_fax'],
  fields: ['ucx.digital_fax:transmitting', 'ucx.digital_fax:receiving'],
  config: z.object({
    /** consecutive beats with the same non-zero value (*proposal*) */
    beats: z._default(z.int().check(z.gte(2), z.lte(1_000)), 6),
    severity: z._default(severitySchema, 'warning'),
  }),
  // the rule counts the unchanged beats itself: one judgement opens, two clear ones resolve
  hysteresis: STATE_FACT,
  explain: {
    title: 'Digital Fax {subject} stuck',
    message:
      'Digital Fax has shown {value|plural:fax job} {subject} for {beats} collections in a row ({hours|hours}): the jobs are not moving.',
    nextStep:
      'Check the fax line or T.38 gateway and the Digital Fax service; restart the service if the jobs still do not move.',
    chart: { series: 'calls:digital-fax:active' },
  },
  evaluate({ beat, at, late, memory, config }) {
    if (beat.type !== 'ucx.digital_fax' || late) return NO_SIGNALS; // "unchanged" means in collection order
    return [
      judge(memory, TRANSMITTING, beat.data.transmitting, at, config),
      judge(memory, RECEIVING, beat.data.receiving, at, config),
    ];
  },
});
