/**
 * Which processes and services belong to the suite: the catalogue carries no vendor on them, so a
 * configurable, case-insensitive name pattern decides; each pattern is compiled once and reused.
 */
import * as z from 'zod/mini';

/** the suite's own executables and services */
export const SUITE_NAMES = '^(?:UCX|Imagicle|ApplicationSuite)';
/** plus the suite's SQL Server process, where its load matters (CPU; not the leak rules: SQL grows by design) */
export const SUITE_PROCESSES_WITH_SQL = `${SUITE_NAMES}|^sqlservr\\.exe$`;
/** plus the suite's SQL Server service (default or named instance) */
export const SUITE_SERVICES_WITH_SQL = `${SUITE_NAMES}|^MSSQL(?:SERVER$|\\$)`;

const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 256; // per-account overrides are few; a bound keeps a long-lived Lambda small

export function namePattern(source: string): RegExp {
  let pattern = compiled.get(source);
  if (!pattern) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    pattern = new RegExp(source, 'i');
    compiled.set(source, pattern);
  }
  return pattern;
}

const compiles = (source: string) => {
  try {
    namePattern(source);
    return true;
  } catch {
    return false;
  }
};

/** a name pattern in a rule's config, validated when the config is parsed */
export const namePatternSchema = (fallback: string) =>
  z._default(z.string().check(z.maxLength(1024), z.refine(compiles, 'not a valid regular expression')), fallback);

export const severitySchema = z.enum(['info', 'warning', 'critical']);
