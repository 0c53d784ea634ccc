/** logging-off: suite logging is disabled, or its retention is too short to diagnose a problem. */
import * as z from 'zod';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const severity = z.enum(['info', 'warning', 'critical']);

export const rule = defineRule({
  id: 'logging-off',
  description: 'Logging disabled (warning) or retention shorter than 7 days (info)',
  reads: ['ucx.logging'],
  fields: ['ucx.logging:enabled', 'ucx.logging:retentionDays'],
  config: z.object({
    minRetentionDays: z.int().min(0).default(7),
    disabledSeverity: severity.default('warning'),
    shortRetentionSeverity: severity.default('info'),
  }),
  hysteresis: STATE_FACT,
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
