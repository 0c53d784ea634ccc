/**
 * A finding in words: renders a rule's declarative `explain` (rule.ts) from a finding's subject and
 * evidence into a title, a message, a next step and, where the rule reads a history series, a
 * chart. Computed at read time, never stored, so findings stored before a text changed get it too.
 */
import type { Product } from '../licensing/catalogue';
import { allRules } from './catalogue/index';
import type { ExplainTexts, Rule, Signal } from './rule';
import { onFirstUse } from '../on-first-use';

const DAY = 86_400_000;
const GIB = 1024 ** 3;

export interface FindingChart {
  readonly series: string;
  readonly thresholds: { readonly label: string; readonly value: number }[];
  readonly forecast?: { readonly at: string; readonly value: number };
}

export interface FindingWords {
  readonly title: string;
  readonly message: string;
  readonly nextStep: string;
  readonly chart?: FindingChart;
}

type Evidence = Signal['evidence'];
type Value = Evidence[string] | undefined;

const productNames: Readonly<Record<Product, string>> = {
  'attendant-console': 'Attendant Console',
  'call-recording': 'Call Recording',
  ivr: 'IVR',
  acd: 'ACD',
  'digital-fax': 'Digital Fax',
  'phone-lock': 'Phone Lock',
  'contact-manager': 'Contact Manager',
};
const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** one decimal at most, no trailing `.0` */
const decimal = (v: number) => String(Math.round(v * 10) / 10);
// ICU's number format costs ~9 ms of a cold start that may render no finding
const grouping = onFirstUse(() => new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }));
const group = (n: number) => grouping().format(n);
const plural = (n: number, unit: string) => `${group(n)} ${unit}${Math.abs(n) === 1 ? '' : 's'}`;
const asNumber = (v: Value): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const day = (at: Date) => `${at.getUTCDate()} ${months[at.getUTCMonth()]} ${at.getUTCFullYear()}`;

function bytes(v: number): string {
  for (const [unit, size] of [
    ['GB', GIB],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const)
    if (Math.abs(v) >= size) return `${decimal(v / size)} ${unit}`;
  return `${decimal(v)} bytes`;
}

/** Formats by name: each takes the evidence value (and the text after `:`), undefined when it cannot say it. */
export const formats: Readonly<Record<string, (v: Value, argument: string) => string | undefined>> = {
  /** bytes in GB (1024³, as Windows and SQL Server count them): 9.2 GB */
  gb: (v) => (asNumber(v) === undefined ? undefined : `${decimal((v as number) / GIB)} GB`),
  /** bytes in the largest unit that fits: 12.5 MB */
  bytes: (v) => (asNumber(v) === undefined ? undefined : bytes(v as number)),
  /** a percentage already scaled to 100: 92 % */
  percent: (v) => (asNumber(v) === undefined ? undefined : `${decimal(v as number)} %`),
  /** whole days, rounded: 41 days, 1 day */
  days: (v) => (asNumber(v) === undefined ? undefined : plural(Math.round(v as number), 'day')),
  /** days from now, signed: in 41 days, 12 days ago, today */
  relativeDays: (v) => {
    const n = asNumber(v);
    if (n === undefined) return undefined;
    const d = Math.round(n);
    return d === 0 ? 'today' : d > 0 ? `in ${plural(d, 'day')}` : `${plural(-d, 'day')} ago`;
  },
  hours: (v) => (asNumber(v) === undefined ? undefined : plural(v as number, 'hour')),
  /** a number with thousands grouped: 12,400 */
  count: (v) => (asNumber(v) === undefined ? undefined : group(v as number)),
  /** a count with its unit: `{n|plural:DNS server}` → 1 DNS server, 2 DNS servers */
  plural: (v, unit) => (asNumber(v) === undefined ? undefined : plural(v as number, unit)),
  /** an ISO date or instant as a day: 12 January 2027 */
  date: (v) => {
    const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    return Number.isNaN(t) ? undefined : day(new Date(t));
  },
  /** an instant to the minute, UTC: 2 March 2026, 09:15 UTC */
  dateTime: (v) => {
    const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    return Number.isNaN(t) ? undefined : `${day(new Date(t))}, ${new Date(t).toISOString().slice(11, 16)} UTC`;
  },
  /** a list: a, b, c (an empty list has no value) */
  list: (v) => (Array.isArray(v) && v.length > 0 ? v.join(', ') : undefined),
  /** a product id as its name */
  product: (v) => (typeof v === 'string' ? (productNames[v as Product] ?? v) : undefined),
};

/** Default: text as it is, numbers with one decimal at most, true/false as yes/no. */
function plain(v: Value): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? decimal(v) : undefined;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return formats.list!(v ?? null, '');
}

const PLACEHOLDER = /\{([A-Za-z][\w]*)(?:\|([A-Za-z]+)(?::([^}]*))?)?\}/g;
const OPTIONAL = /\[([^\][]*)\]/g;

/** The evidence fields a template reads (`subject` is the finding's subject, not evidence). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((key) => key !== 'subject');
}

/** Fills `{...}` placeholders; undefined when one outside an optional `[...]` part has no value. */
export function renderTemplate(template: string, subject: string, evidence: Evidence): string | undefined {
  const fill = (text: string): string | undefined => {
    let missing = false;
    const out = text.replace(PLACEHOLDER, (_all, key: string, format?: string, argument?: string) => {
      const value = key === 'subject' ? subject : evidence[key];
      const formatter = format === undefined ? undefined : formats[format];
      const said = value === undefined ? undefined : formatter ? formatter(value, argument ?? '') : plain(value);
      if (said === undefined || (format !== undefined && !formatter)) missing = true;
      return said ?? '';
    });
    return missing ? undefined : out;
  };
  // each part filled once, so evidence text that looks like a placeholder stays text
  let out = '';
  let from = 0;
  for (const optional of template.matchAll(OPTIONAL)) {
    const required = fill(template.slice(from, optional.index));
    if (required === undefined) return undefined;
    out += required + (fill(optional[1]!) ?? '');
    from = optional.index + optional[0].length;
  }
  const rest = fill(template.slice(from));
  return rest === undefined ? undefined : out + rest;
}

function matches(when: Readonly<Record<string, unknown>>, subject: string, evidence: Evidence): boolean {
  for (const key in when) if ((key === 'subject' ? subject : (evidence[key] ?? null)) !== when[key]) return false;
  return true;
}

/** Without a rule (one since removed) or with evidence a template cannot say, the words still read. */
function fallback(ruleId: string, subject: string, description?: string): ExplainTexts {
  const about = subject === 'installation' ? 'the installation' : subject;
  return {
    title: `${description ?? ruleId} (${about})`,
    message: `Rule ${ruleId} found a problem with ${about}; the evidence below has the values it saw.`,
    nextStep: 'Open the evidence below, and ask support about it if it is not clear what to do.',
  };
}

/**
 * The words of a finding of `rule` on `subject` with `evidence`; `evidenceAt` (ISO) is when the
 * evidence was seen, the start of a forecast.
 */
export function renderExplain(
  rule: Rule | undefined,
  ruleId: string,
  subject: string,
  evidence: Evidence,
  evidenceAt?: string,
): FindingWords {
  const safe = fallback(ruleId, subject, rule?.description);
  if (!rule) return safe;
  const { explain } = rule;
  const variant = explain.variants?.find((v) => matches(v.when, subject, evidence));
  const say = (field: keyof ExplainTexts): string =>
    (variant?.[field] !== undefined ? renderTemplate(variant[field], subject, evidence) : undefined) ??
    renderTemplate(explain[field], subject, evidence) ??
    safe[field];
  const words = { title: say('title'), message: say('message'), nextStep: say('nextStep') };
  const spec = variant?.chart ?? explain.chart;
  const chart = spec && renderChart(spec, subject, evidence, evidenceAt);
  return chart ? { ...words, chart } : words;
}

function renderChart(
  spec: NonNullable<Rule['explain']['chart']>,
  subject: string,
  evidence: Evidence,
  evidenceAt: string | undefined,
): FindingChart | undefined {
  const series = renderTemplate(spec.series, subject, evidence);
  if (series === undefined) return undefined;
  const thresholds: FindingChart['thresholds'] = [];
  for (const line of spec.thresholds ?? []) {
    const value = asNumber(evidence[line.value]);
    const label = renderTemplate(line.label, subject, evidence);
    if (value !== undefined && label !== undefined) thresholds.push({ label, value });
  }
  const inDays = spec.forecast && asNumber(evidence[spec.forecast.inDays]);
  const reaches = spec.forecast && asNumber(evidence[spec.forecast.value]);
  const from = evidenceAt === undefined ? Number.NaN : Date.parse(evidenceAt);
  if (inDays === undefined || reaches === undefined || Number.isNaN(from)) return { series, thresholds };
  return { series, thresholds, forecast: { at: new Date(from + inDays * DAY).toISOString(), value: reaches } };
}

const rulesById = new Map(allRules.map((rule) => [rule.id, rule]));

/** The words of a stored finding; its evidence was seen at its newest event that is not a resolution. */
export function findingWords(finding: {
  readonly ruleId: string;
  readonly subject: string;
  readonly evidence: Evidence;
  readonly openedAt: string;
  readonly history: readonly { readonly at: string; readonly event: string }[];
}): FindingWords {
  let evidenceAt = finding.openedAt;
  for (const event of finding.history) if (event.event !== 'resolved' && event.at > evidenceAt) evidenceAt = event.at;
  return renderExplain(rulesById.get(finding.ruleId), finding.ruleId, finding.subject, finding.evidence, evidenceAt);
}
