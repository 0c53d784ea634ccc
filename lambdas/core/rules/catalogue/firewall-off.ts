/**
 * firewall-off: the Windows firewall is disabled on a profile. One finding per profile: public off
 * is a warning, and the public profile's finding turns critical when every profile is off.
 */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const severity = z.enum(['info', 'warning', 'critical']);
const profiles = ['domain', 'private', 'public'] as const;
type Profile = (typeof profiles)[number];

/** the clear signals never change: built once, shared (the engine only reads them) */
const CLEAR: Readonly<Record<Profile, Signal>> = {
  domain: Object.freeze({ subject: 'domain', severity: null, evidence: Object.freeze({ enabled: true }) }),
  private: Object.freeze({ subject: 'private', severity: null, evidence: Object.freeze({ enabled: true }) }),
  public: Object.freeze({ subject: 'public', severity: null, evidence: Object.freeze({ enabled: true }) }),
};

export const rule = defineRule({
  id: 'firewall-off',
  description: 'Windows firewall disabled on a profile (public off: warning; all off: critical)',
  reads: ['software.firewall'],
  fields: ['software.firewall:domain', 'software.firewall:private', 'software.firewall:public'],
  config: z.object({
    /** a profile off on its own; null: not a finding */
    offSeverity: z.prefault(
      z.object({
        domain: z._default(z.nullable(severity), null),
        private: z._default(z.nullable(severity), null),
        public: z._default(z.nullable(severity), 'warning'),
      }),
      {},
    ),
    /** every profile off: the public profile's finding takes this severity */
    allOffSeverity: z._default(severity, 'critical'),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Windows firewall off on the {subject} profile',
    message: 'The Windows firewall is disabled on the {subject} network profile.',
    nextStep:
      "Turn the firewall back on and allow the suite's ports instead (the suite's installation guide lists them).",
    variants: [
      {
        when: { allOff: true },
        title: 'Windows firewall off on every profile',
        message: 'The Windows firewall is disabled on every network profile: domain, private and public.',
      },
    ],
  },
  evaluate({ beat, config }): readonly Signal[] {
    if (beat.type !== 'software.firewall') return [];
    const allOff = !beat.data.domain && !beat.data.private && !beat.data.public;
    const signals: Signal[] = [];
    for (const profile of profiles) {
      if (beat.data[profile]) {
        signals.push(CLEAR[profile]);
        continue;
      }
      const level = allOff && profile === 'public' ? config.allOffSeverity : config.offSeverity[profile];
      signals.push({ subject: profile, severity: level, evidence: { enabled: false, allOff } });
    }
    return signals;
  },
});
