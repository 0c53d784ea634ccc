/** logging-off: suite logging is disabled, or its retention is too short to diagnose a problem. */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const severity = z.enum(['info', 'warning', 'critical']);

export const rule = defineRule({
  id: 'logging-off',
  description: 'Logging disabled (warning) or retention shorter than 7 days (info)',
  reads: ['ucx.logging'],
  fields: ['ucx.logging:enabled', 'ucx.logging:retentionDays'],
  config: z.object({
    minRetentionDays: z._default(z.int().check(z.gte(0)), 7),
    disabledSeverity: z._default(severity, 'warning'),
    shortRetentionSeverity: z._default(severity, 'info'),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Suite log retention short',
    message: 'Suite logs are kept for {retentionDays|days}: too short to diagnose a problem reported days later.',
    nextStep: "Raise the log retention to at least a week in the suite's logging settings.",
    variants: [
      {
        when: { enabled: false },
        title: 'Suite logging is off',
        message: 'Suite logging is disabled: a fault cannot be diagnosed afterwards.',
        nextStep: "Turn logging on in the suite's logging settings, with a retention of at least a week.",
      },
    ],
  },
  evaluate({ beat, config }): readonly Signal[] {
    if (beat.type !== 'ucx.logging') return [];
    const { enabled, retentionDays } = beat.data;
    const level = !enabled
      ? config.disabledSeverity
      : retentionDays < config.minRetentionDays
        ? config.shortRetentionSeverity
        : null;
    return [{ subject: 'installation', severity: level, evidence: { enabled, retentionDays } }];
  },
});
