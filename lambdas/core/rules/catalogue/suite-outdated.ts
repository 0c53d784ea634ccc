/** suite-outdated: the suite version has a known issue or is older than the oldest supported one. */
import * as z from 'zod/mini';
import { defineRule, severityRank, STATE_FACT, type Severity, type Signal } from '../rule';

const severity = z.enum(['info', 'warning', 'critical']);

/** true when `version` is `prefix` or continues it with a `.` component (no allocation). */
export function startsWithComponents(version: string, prefix: string): boolean {
  return version.startsWith(prefix) && (version.length === prefix.length || version.charCodeAt(prefix.length) === 46);
}

/** Dotted versions compared component by component as numbers (non-digits ignored, missing = 0). */
export function compareVersions(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let x = 0;
    for (; i < a.length && a.charCodeAt(i) !== 46; i++) {
      const d = a.charCodeAt(i) - 48;
      if (d >= 0 && d <= 9) x = x * 10 + d;
    }
    let y = 0;
    for (; j < b.length && b.charCodeAt(j) !== 46; j++) {
      const d = b.charCodeAt(j) - 48;
      if (d >= 0 && d <= 9) y = y * 10 + d;
    }
    if (x !== y) return x < y ? -1 : 1;
    i++;
    j++;
  }
  return 0;
}

export const rule = defineRule({
  id: 'suite-outdated',
  description: 'Suite version has a known issue or is no longer supported',
  reads: ['ucx.suite'],
  fields: ['ucx.suite:version'],
  // knownIssues and oldestSupported are the back office's advisory table (advisories.ts), laid under
  // the config by the rules Lambda; none maintained: nothing judged. `versions` match by dotted
  // prefix: '2024.2' covers 2024.2, 2024.2.0, 2024.2.5.
  config: z.object({
    knownIssues: z._default(
      z.array(
        z.object({
          versions: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
          severity,
          issue: z.string(),
        }),
      ),
      [],
    ),
    /** versions older than this are unsupported; null: no floor */
    oldestSupported: z._default(z.nullable(z.string().check(z.minLength(1))), null),
    unsupportedSeverity: z._default(severity, 'warning'),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Suite version {version} needs an update',
    message: 'The installed suite version {version}: {issue}.',
    nextStep: 'Plan an update to the latest suite release; its release notes list the fixes.',
  },
  evaluate({ beat, config }): readonly Signal[] {
    if (beat.type !== 'ucx.suite') return [];
    const { version } = beat.data;
    let level: Severity | null = null;
    let issue: string | null = null;
    if (config.oldestSupported !== null && compareVersions(version, config.oldestSupported) < 0) {
      level = config.unsupportedSeverity;
      issue = `older than ${config.oldestSupported}, no longer supported`;
    }
    for (const known of config.knownIssues) {
      if (level !== null && severityRank[known.severity] <= severityRank[level]) continue;
      for (const prefix of known.versions)
        if (startsWithComponents(version, prefix)) {
          level = known.severity;
          issue = known.issue;
          break;
        }
    }
    return [{ subject: 'installation', severity: level, evidence: { version, issue } }];
  },
});
