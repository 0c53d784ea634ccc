/** cucm-compat: the suite version is not certified for the CUCM version it is integrated with. */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';
import { startsWithComponents } from './suite-outdated';

const severity = z.enum(['info', 'warning', 'critical']);
const NONE: readonly Signal[] = [];

export const rule = defineRule({
  id: 'cucm-compat',
  description: "Suite version not certified for the CUCM version (the back office's compatibility matrix)",
  reads: ['ucx.suite', 'ucx.voip'],
  fields: ['ucx.suite:version', 'ucx.voip:cucmVersion'],
  config: z.object({
    /**
     * The back office's advisory table (advisories.ts), laid under the config by the rules Lambda:
     * a suite version matches the entry with the longest dotted prefix (`suite`); `cucm` lists the
     * certified CUCM versions, also by prefix ('14' covers 14.0.1.13900-155). Empty: nothing judged.
     */
    matrix: z._default(
      z.array(z.object({ suite: z.string().check(z.minLength(1)), cucm: z.array(z.string().check(z.minLength(1))) })),
      [],
    ),
    severity: z._default(severity, 'warning'),
    /** a suite version the matrix does not list; null: not judged */
    unlistedSeverity: z._default(z.nullable(severity), null),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Suite {suite} not certified for CUCM {cucm}',
    message:
      'Suite version {suite} is certified for CUCM {certified|list}, not for the CUCM {cucm} it is integrated with.',
    nextStep:
      'Update the suite to a version certified for CUCM {cucm}, and check the compatibility matrix before the next CUCM upgrade.',
    variants: [
      {
        when: { listed: false },
        title: 'Suite {suite} not in the CUCM compatibility matrix',
        message:
          'Suite version {suite} is not in the compatibility matrix: its certification for CUCM {cucm} is unknown.',
        nextStep: 'Ask support whether suite {suite} is certified for CUCM {cucm}, or update to a listed version.',
      },
    ],
  },
  evaluate({ beat, memory, config }): readonly Signal[] {
    if (beat.type === 'ucx.suite') memory.setFact('suite', beat.data.version);
    else if (beat.type === 'ucx.voip') memory.setFact('cucm', beat.data.cucmVersion);
    else return NONE;
    const suite = memory.fact<string>('suite');
    const cucm = memory.fact<string>('cucm');
    if (suite === undefined || cucm === undefined) return NONE; // one side not known yet
    let entry: { suite: string; cucm: readonly string[] } | undefined;
    for (const e of config.matrix)
      if (startsWithComponents(suite, e.suite) && (!entry || e.suite.length > entry.suite.length)) entry = e;
    if (!entry)
      return [{ subject: 'installation', severity: config.unlistedSeverity, evidence: { suite, cucm, listed: false } }];
    let certified = false;
    for (let i = 0; i < entry.cucm.length && !certified; i++) certified = startsWithComponents(cucm, entry.cucm[i]!);
    return [
      {
        subject: 'installation',
        severity: certified ? null : config.severity,
        evidence: { suite, cucm, certified: entry.cucm },
      },
    ];
  },
});
