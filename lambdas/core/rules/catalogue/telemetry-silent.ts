/**
 * telemetry-silent: an installation that sent beats has gone silent (evaluated on the tick). Reads
 * one field outside the catalogue: `telemetry:lastBeatAt`, the time of the newest beat the engine
 * has seen (TickContext.lastBeatAt).
 */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const HOUR = 3_600_000;
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

export const rule = defineRule({
  id: 'telemetry-silent',
  description: 'No beat for 3 hours (warning) or 24 hours (critical) from an installation that sent beats',
  reads: [],
  fields: ['telemetry:lastBeatAt', 'licence:telemetryEnabled'],
  config: z.object({
    /** *anchor*: Zabbix nodata, scaled to the beat cadence */
    warnHours: z._default(z.number().check(z.positive()), 3),
    criticalHours: z._default(z.number().check(z.positive()), 24),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'No telemetry for {silentHours|hours}',
    message: 'The installation sent its last beat on {lastBeatAt|dateTime}, {silentHours|hours} ago.',
    nextStep:
      "Check that the server is up, the suite's agent service runs, and it reaches the cloud (proxy, firewall, certificates).",
  },
  evaluate: () => NO_SIGNALS,
  tick({ now, lastBeatAt, licence, config }) {
    // never sent a beat, or telemetry switched off: silence is expected
    if (lastBeatAt === undefined || !licence.telemetryEnabled)
      return [{ subject: 'installation', severity: null, evidence: { telemetryEnabled: licence.telemetryEnabled } }];
    const silent = now - lastBeatAt;
    const severity =
      silent >= config.criticalHours * HOUR ? 'critical' : silent >= config.warnHours * HOUR ? 'warning' : null;
    return [
      {
        subject: 'installation',
        severity,
        evidence: {
          lastBeatAt: new Date(lastBeatAt).toISOString(),
          silentHours: Math.round((silent / HOUR) * 10) / 10,
        },
      },
    ];
  },
});
