/**
 * The stored form of the rules' installation state (core/rules/state.ts) and of its open findings
 * for support: one byte of format, then compact JSON, raw-deflated against a preset dictionary of
 * what every state repeats (support-state-dictionary.ts). Lossless: decode(encode(s)) equals s.
 * Compact because every installation's item is read and written every 5 minutes (1 KB = 1 WRU):
 *   - times are epoch ms relative to the newest beat (`lastBeatAt`, a plain attribute of the item),
 *     ISO strings among them (finding times) too when they are canonical `toISOString()` output;
 *   - a series is two arrays, times as deltas, and integer values as deltas of value ÷ 2^k (a
 *     power of two dividing them all, e.g. page-aligned memory); long integer arrays in facts
 *     (a baseline's hour stamps) as deltas;
 *   - beat types by number, the watermarks grouped by instant;
 *   - a finding's id is left out when it is the one its rule, subject and opening time give
 *     (findingIdOf), its evidence when it is that of its last history event, and its events'
 *     evidence keys are written once;
 *   - entries that stop changing (findings with their histories, baselines, growth series,
 *     inventory facts and watermarks) can be stored apart (encodeApart): the main blob's entries
 *     override those, deleted ones are named, and a hash ties the two blobs together;
 *   - an entry stored apart that changed a little (a growth series one point longer, a week
 *     baseline with one hour refilled) is written as a patch of its value there (format 2: the
 *     blob apart is rewritten about daily, not every time such an entry changes).
 * The dictionary, the beat type numbers, the deflate window and this layout are frozen: a change
 * is a new format byte, the older ones still decoded. Format 2 is format 1 with patches (`p`),
 * written only when the blob holds one.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { findingIdOf } from '../core/rules/lifecycle';
import type { Point, Severity } from '../core/rules/rule';
import type { OpenFindingSummary } from '../core/support/ports';
import type {
  FindingEvent,
  FindingEventKind,
  InstallationState,
  OpenFinding,
  RuleMemoryState,
  Tracker,
} from '../core/rules/state';
import type { BeatType } from '../core/telemetry/catalogue';
import { STATE_DICTIONARY_V1 } from './support-state-dictionary';

export { STATE_DICTIONARY_V1 };

export const STATE_FORMAT = 1;
/** format 1 with patches of entries stored apart (`p`) */
export const STATE_FORMAT_PATCHES = 2;

/**
 * Raw deflate, level 6 (9 gains nothing here), 16 KB window: the 13.5 KB dictionary and a state's
 * first 2.5 KB of JSON fit, and past that the dictionary's start (its rarest part) slides out of
 * reach (the default 32 KB window costs more CPU to set up per call). Frozen with format 1.
 */
const DEFLATE = { level: 6, windowBits: 14, dictionary: STATE_DICTIONARY_V1 } as const;
const INFLATE = { windowBits: 14, dictionary: STATE_DICTIONARY_V1 } as const;

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const EVENT_KINDS: readonly FindingEventKind[] = ['opened', 'escalated', 'deescalated', 'resolved', 'reopened'];

/** what the codec reads from the item's plain attributes */
export interface PlainStateAttributes {
  readonly installationId: string;
  readonly accountId: string;
  readonly version: number;
  readonly lastBeatAt?: number;
}

// ---- the compact form (the JSON inside the deflate stream) ----
// Types, and a validator written out by hand rather than a zod schema: every installation's state
// is decoded every batch, and zod's tuples and unions per history event cost more than the rest
// of the decoding together. It checks every value the decoder reads.

/** epoch ms as (base − t), or an ISO string kept as it was when it is not canonical */
type CompactTime = number | string;
type Evidence = FindingEvent['evidence'];
type EvidenceValue = Evidence[string];
/** an evidence object, or the values of one whose keys are its finding's evidence keys, in order */
type CompactEvidence = Evidence | EvidenceValue[];
/** [at, kind, severity, evidence] */
type CompactEvent = [CompactTime, number, number, CompactEvidence];
/**
 * [severity, openedAt, evidence keys, history, evidence?, findingId?, resolvedAt?]; 0 stands for
 * "as derived": the evidence of the last event, the id findingIdOf gives, the last event's time
 */
type CompactFinding = [
  number,
  CompactTime,
  string[],
  CompactEvent[],
  (CompactEvidence | 0)?,
  (string | 0)?,
  CompactTime?,
];
/**
 * [hits, clears, 1 when it holds an open finding, 1 when a resolved one, and a pending severity
 * change: its severity as SEVERITIES numbers it, how many evaluations] (the findings are stored apart)
 */
type CompactTracker = [number, number, (0 | 1)?, (0 | 1)?, number?, number?];
/** [open or 0, resolved?] */
type CompactTrackerFindings = [CompactFinding | 0, CompactFinding?];
/** [times, values, k]: times[0] relative to the base then deltas; k ≥ 0: values are deltas of v / 2^k */
type CompactSeries = [number[], number[], number?];
/** a beat type as its number in BEAT_TYPES_V1 (or its name), or [type, count of hashes] when not 1 */
type TypeToken = number | string | [number | string, number];
interface CompactState {
  /** the time base (epoch ms) when it is not the item's `lastBeatAt`: the part stored apart */
  b?: number;
  /** the watermarks, grouped by instant: [base − newest, ...beat types] */
  n?: [number, ...TypeToken[]][];
  /** the hashes of the beats evaluated at each watermark, in the order of `n`: base64url of 4 bytes each */
  h?: string;
  /** per rule: series, facts, and the paths in the facts of integer arrays stored as deltas */
  m?: Record<string, { s?: Record<string, CompactSeries>; f?: Record<string, unknown>; d?: string[][] }>;
  /** the trackers: counts, and which findings they hold */
  k?: Record<string, CompactTracker>;
  c?: Record<string, string>;
  /** the findings the trackers hold (those not stored apart) */
  f?: Record<string, CompactTrackerFindings>;
  /**
   * the blob of entries stored apart that this one goes with (its hash): this blob's entries
   * override its, and a tracker's flags say which findings there still count
   */
  ah?: string;
  /** the state version written with that blob */
  av?: number;
  /** entries of that blob since deleted (a fact or series a rule forgot) */
  x?: CompactIds;
  /**
   * entries of that blob since changed, as patches of their value there: per rule, a series as
   * [points dropped from its front, points appended], a fact as [path, value] replacements
   */
  p?: Record<string, { s?: Record<string, [number, CompactSeries]>; f?: Record<string, CompactEdit[]> }>;
}
/** [path from the fact's value (keys and array indexes), the value there] */
type CompactEdit = [(string | number)[], unknown];
/** Entry ids: facts and series by rule. */
interface CompactIds {
  m?: Record<string, { s?: string[]; f?: string[] }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isTime = (v: unknown): v is CompactTime => typeof v === 'number' || typeof v === 'string';
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number');
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((n) => typeof n === 'string');
const isEvidenceValue = (v: unknown): v is EvidenceValue =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'number' ||
  typeof v === 'boolean' ||
  (Array.isArray(v) && v.every((e) => typeof e === 'string' || typeof e === 'number'));
const isEvidence = (v: unknown): v is Evidence => isObject(v) && Object.values(v).every(isEvidenceValue);
const isCompactEvidence = (v: unknown): v is CompactEvidence =>
  isEvidence(v) || (Array.isArray(v) && v.every(isEvidenceValue));
const isEvent = (v: unknown): v is CompactEvent =>
  Array.isArray(v) && v.length === 4 && isTime(v[0]) && isInt(v[1]) && isInt(v[2]) && isCompactEvidence(v[3]);
const isFinding = (v: unknown): v is CompactFinding =>
  Array.isArray(v) &&
  v.length >= 4 &&
  v.length <= 7 &&
  isInt(v[0]) &&
  isTime(v[1]) &&
  isStrings(v[2]) &&
  Array.isArray(v[3]) &&
  v[3].every(isEvent) &&
  (v[4] === undefined || v[4] === 0 || isCompactEvidence(v[4])) &&
  (v[5] === undefined || v[5] === 0 || typeof v[5] === 'string') &&
  (v[6] === undefined || isTime(v[6]));
const isFlag = (v: unknown) => v === undefined || v === 0 || v === 1;
const isTracker = (v: unknown): v is CompactTracker =>
  Array.isArray(v) &&
  (v.length === 2 || v.length === 3 || v.length === 4 || v.length === 6) &&
  isInt(v[0]) &&
  isInt(v[1]) &&
  isFlag(v[2]) &&
  isFlag(v[3]) &&
  (v.length < 6 || (SEVERITIES[v[4] as number] !== undefined && isInt(v[5]) && (v[5] as number) > 0));
const isTrackerFindings = (v: unknown): v is CompactTrackerFindings =>
  Array.isArray(v) &&
  (v.length === 1 || v.length === 2) &&
  (v[0] === 0 || isFinding(v[0])) &&
  (v[1] === undefined || isFinding(v[1]));
const isSeries = (v: unknown): v is CompactSeries =>
  Array.isArray(v) &&
  (v.length === 2 || (v.length === 3 && isInt(v[2]))) &&
  isNumbers(v[0]) &&
  isNumbers(v[1]) &&
  v[0].length === v[1].length;
const isTypeToken = (v: unknown): v is TypeToken =>
  typeof v === 'number' ||
  typeof v === 'string' ||
  (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'number' || typeof v[0] === 'string') && isInt(v[1]));
const isRecordOf = <T>(v: unknown, item: (x: unknown) => x is T): v is Record<string, T> =>
  isObject(v) && Object.values(v).every(item);

const isIds = (v: unknown): v is CompactIds =>
  isObject(v) &&
  (v['m'] === undefined ||
    isRecordOf(
      v['m'],
      (r): r is NonNullable<CompactIds['m']>[string] =>
        isObject(r) && (r['s'] === undefined || isStrings(r['s'])) && (r['f'] === undefined || isStrings(r['f'])),
    ));

const isEdit = (v: unknown): v is CompactEdit =>
  Array.isArray(v) &&
  v.length === 2 &&
  Array.isArray(v[0]) &&
  v[0].length > 0 &&
  v[0].every((k) => (typeof k === 'string' && !UNSAFE_KEYS.has(k)) || (isInt(k) && k >= 0));
/** keys a path may not name: setting them would reach an object's prototype */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const isPatches = (v: unknown): v is NonNullable<CompactState['p']> =>
  isRecordOf(
    v,
    (r): r is NonNullable<CompactState['p']>[string] =>
      isObject(r) &&
      (r['s'] === undefined ||
        isRecordOf(
          r['s'],
          (p): p is [number, CompactSeries] => Array.isArray(p) && p.length === 2 && isInt(p[0]) && isSeries(p[1]),
        )) &&
      (r['f'] === undefined ||
        isRecordOf(r['f'], (e): e is CompactEdit[] => Array.isArray(e) && e.length > 0 && e.every(isEdit))),
  );

function compactStateOf(v: unknown): CompactState {
  const ok =
    isObject(v) &&
    (v['b'] === undefined || typeof v['b'] === 'number') &&
    (v['n'] === undefined ||
      (Array.isArray(v['n']) &&
        v['n'].every((g) => Array.isArray(g) && typeof g[0] === 'number' && g.slice(1).every(isTypeToken)))) &&
    (v['h'] === undefined || typeof v['h'] === 'string') &&
    (v['m'] === undefined ||
      isRecordOf(
        v['m'],
        (r): r is NonNullable<CompactState['m']>[string] =>
          isObject(r) &&
          (r['s'] === undefined || isRecordOf(r['s'], isSeries)) &&
          (r['f'] === undefined || isObject(r['f'])) &&
          (r['d'] === undefined || (Array.isArray(r['d']) && r['d'].every(isStrings))),
      )) &&
    (v['k'] === undefined || isRecordOf(v['k'], isTracker)) &&
    (v['c'] === undefined || isRecordOf(v['c'], (c): c is string => typeof c === 'string')) &&
    (v['f'] === undefined || isRecordOf(v['f'], isTrackerFindings)) &&
    (v['ah'] === undefined || typeof v['ah'] === 'string') &&
    (v['av'] === undefined || isInt(v['av'])) &&
    (v['x'] === undefined || isIds(v['x'])) &&
    (v['p'] === undefined || isPatches(v['p']));
  if (!ok) invalid('layout');
  return v as CompactState;
}

// ---- times ----

// A finding's times come back batch after batch: their conversions are remembered (bounded).
const TIME_CACHE = 4096;
/** ISO → epoch ms, NaN when the string is not what toISOString gives for it */
const msOfIso = new Map<string, number>();
const isoOfMs = new Map<number, string>();

function timeOut(base: number, iso: string): CompactTime {
  let ms = msOfIso.get(iso);
  if (ms === undefined) {
    ms = Date.parse(iso);
    if (!(Number.isFinite(ms) && new Date(ms).toISOString() === iso)) ms = NaN;
    if (msOfIso.size >= TIME_CACHE) msOfIso.clear();
    msOfIso.set(iso, ms);
  }
  return Number.isNaN(ms) ? iso : base - ms;
}

function timeIn(base: number, t: CompactTime): string {
  if (typeof t === 'string') return t;
  const ms = base - t;
  let iso = isoOfMs.get(ms);
  if (iso === undefined) {
    iso = new Date(ms).toISOString();
    if (isoOfMs.size >= TIME_CACHE) isoOfMs.clear();
    isoOfMs.set(ms, iso);
  }
  return iso;
}

// ---- series ----

const MAX_DELTA_VALUE = 2 ** 50; // deltas of values below this are exact in a double

function seriesOut(base: number, points: readonly Point[]): CompactSeries {
  const times: number[] = [];
  const values: number[] = [];
  let integral = true;
  let orBits = 0;
  for (let i = 0; i < points.length; i++) {
    const { t, v } = points[i]!;
    times.push(i === 0 ? base - t : t - points[i - 1]!.t);
    if (integral && Number.isSafeInteger(v) && Math.abs(v) < MAX_DELTA_VALUE) orBits |= (v % 0x100000) | 0;
    else integral = false;
  }
  if (!integral) {
    for (const p of points) values.push(p.v);
    return [times, values];
  }
  // the largest power of two (up to 2^20) dividing every value: its trailing zero bits
  let k = 0;
  while (k < 20 && orBits !== 0 && (orBits & (1 << k)) === 0) k++;
  if (orBits === 0 && points.some((p) => p.v !== 0)) k = 20;
  const scale = 2 ** k;
  let previous = 0;
  for (const p of points) {
    const q = p.v / scale;
    values.push(q - previous);
    previous = q;
  }
  return [times, values, k];
}

function seriesIn(base: number, [times, values, k]: CompactSeries): Point[] {
  if (times.length !== values.length) throw new Error('stored rules state: a series with unequal arrays');
  const points: Point[] = [];
  let t = 0;
  let q = 0;
  const scale = k === undefined ? 1 : 2 ** k;
  for (let i = 0; i < times.length; i++) {
    t = i === 0 ? base - times[0]! : t + times[i]!;
    if (k === undefined) points.push({ t, v: values[i]! });
    else {
      q += values[i]!;
      points.push({ t, v: q * scale });
    }
  }
  return points;
}

// ---- the watermarks ----

/** Format 1's beat type numbers (the catalogue's order when it was written). Frozen: append only in a new format. */
export const BEAT_TYPES_V1: readonly string[] = [
  'processes.running',
  'processes.windows_services',
  'software.installed_applications',
  'software.os',
  'software.windows_services',
  'software.hotfixes',
  'software.firewall',
  'hardware.virtualization',
  'hardware.processors',
  'hardware.memory',
  'hardware.disks',
  'hardware.network',
  'ucx.suite',
  'ucx.cluster',
  'ucx.voip',
  'ucx.database_server',
  'ucx.database',
  'ucx.logging',
  'ucx.attendant_console',
  'ucx.call_recording',
  'ucx.ivr',
  'ucx.acd',
  'ucx.digital_fax',
  'ucx.phone_lock',
  'ucx.contact_manager',
];
const beatTypeNumber = new Map(BEAT_TYPES_V1.map((type, i) => [type, i]));
type WatermarkGroup = NonNullable<CompactState['n']>[number];

function hashesOut(hashes: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(hashes.length * 4);
  for (const [i, h] of hashes.entries()) bytes.writeUInt32BE(h >>> 0, i * 4);
  return bytes.toString('base64url');
}

function hashesIn(text: string): number[] {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length % 4 !== 0) invalid('beat id hashes');
  const hashes: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) hashes.push(bytes.readUInt32BE(i));
  return hashes;
}

function watermarksOut(
  base: number,
  state: InstallationState,
  keep: (id: string) => boolean,
): Pick<CompactState, 'n' | 'h'> {
  const groups = new Map<number, WatermarkGroup>();
  const hashes: number[][] = [];
  const hashesOfGroup = new Map<number, number[]>();
  for (const type in state.newest) {
    const at = state.newest[type as BeatType];
    if (at === undefined || !keep(entry.watermark(type))) continue;
    let group = groups.get(at);
    if (!group) {
      group = [base - at];
      groups.set(at, group);
      hashesOfGroup.set(at, []);
    }
    const ids = state.atNewest[type as BeatType] ?? [];
    const token = beatTypeNumber.get(type) ?? type;
    group.push(ids.length === 1 ? token : [token, ids.length]);
    hashesOfGroup.get(at)!.push(...ids);
  }
  if (groups.size === 0) return {};
  for (const at of groups.keys()) hashes.push(hashesOfGroup.get(at)!);
  return { n: [...groups.values()], h: hashesOut(hashes.flat()) };
}

function watermarksIn(base: number, compact: CompactState): Pick<InstallationState, 'newest' | 'atNewest'> {
  const newest: Partial<Record<BeatType, number>> = {};
  const atNewest: Partial<Record<BeatType, readonly number[]>> = {};
  const hashes = hashesIn(compact.h ?? '');
  let next = 0;
  for (const [rel, ...tokens] of compact.n ?? []) {
    if (typeof rel !== 'number') invalid('watermark');
    for (const token of tokens) {
      const [id, count] = Array.isArray(token) ? token : [token, 1];
      const type = (typeof id === 'number' ? (BEAT_TYPES_V1[id] ?? invalid(`beat type ${id}`)) : id) as BeatType;
      newest[type] = base - rel;
      atNewest[type] = hashes.slice(next, next + count);
      next += count;
    }
  }
  if (next !== hashes.length) invalid('beat id hashes');
  return { newest, atNewest };
}

// ---- facts: long integer arrays (a baseline's hour stamps) as deltas ----

const MIN_DELTA_ARRAY = 8;

function isDeltaArray(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length < MIN_DELTA_ARRAY) return false;
  for (const v of value) if (!Number.isSafeInteger(v) || Math.abs(v as number) >= MAX_DELTA_VALUE) return false;
  return true;
}

/** Copies `value`, integer arrays under it (in objects, not in arrays) as deltas, their paths into `paths`. */
function deltasOut(value: unknown, path: string[], paths: string[][]): unknown {
  if (isDeltaArray(value)) {
    paths.push(path);
    return value.map((v, i) => (i === 0 ? v : v - value[i - 1]!));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value as Record<string, unknown>) {
    const inner = (value as Record<string, unknown>)[key];
    const out = deltasOut(inner, [...path, key], paths);
    if (out === inner) continue;
    copy ??= { ...(value as Record<string, unknown>) };
    copy[key] = out;
  }
  return copy ?? value;
}

function deltasIn(facts: Record<string, unknown>, paths: readonly (readonly string[])[]): void {
  for (const path of paths) {
    let holder: unknown = facts;
    for (let i = 0; i < path.length - 1; i++) holder = (holder as Record<string, unknown> | undefined)?.[path[i]!];
    const key = path[path.length - 1]!;
    const deltas = (holder as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(deltas) || deltas.some((d) => typeof d !== 'number')) invalid('fact deltas');
    let v = 0;
    (holder as Record<string, unknown>)[key] = (deltas as number[]).map((d) => {
      v += d;
      return v;
    });
  }
}

// ---- findings ----

const sameEvidence = (a: Evidence | undefined, b: Evidence) =>
  a !== undefined && (a === b || JSON.stringify(a) === JSON.stringify(b));

function evidenceOut(keys: readonly string[], e: Evidence): CompactEvidence {
  const own = Object.keys(e);
  if (own.length !== keys.length || own.some((k, i) => k !== keys[i])) return e;
  return own.map((k) => e[k]!);
}

function evidenceIn(keys: readonly string[], e: CompactEvidence): Evidence {
  if (!Array.isArray(e)) return e;
  if (e.length !== keys.length) invalid('evidence values');
  const out: Record<string, Evidence[string]> = {};
  for (const [i, k] of keys.entries()) out[k] = e[i]!;
  return out;
}

function findingOut(
  base: number,
  installationId: string,
  key: string,
  finding: OpenFinding,
  resolvedAt: string | undefined,
): CompactFinding {
  const last = finding.history[finding.history.length - 1];
  const keys = Object.keys(finding.history[0]?.evidence ?? finding.evidence);
  const history = finding.history.map(
    (e): CompactEvent => [
      timeOut(base, e.at),
      EVENT_KINDS.indexOf(e.event),
      SEVERITIES.indexOf(e.severity),
      evidenceOut(keys, e.evidence),
    ],
  );
  const bar = key.indexOf('|');
  const derivedId = findingIdOf(installationId, key.slice(0, bar), key.slice(bar + 1), finding.openedAt);
  const out: CompactFinding = [
    SEVERITIES.indexOf(finding.severity),
    timeOut(base, finding.openedAt),
    keys,
    history,
    sameEvidence(last?.evidence, finding.evidence) ? 0 : evidenceOut(keys, finding.evidence),
    finding.findingId === derivedId ? 0 : finding.findingId,
  ];
  if (resolvedAt !== undefined && resolvedAt !== last?.at) out.push(timeOut(base, resolvedAt));
  // trailing "as derived" markers say nothing
  while (out.length > 4 && out[out.length - 1] === 0) out.pop();
  return out;
}

function findingIn(
  base: number,
  installationId: string,
  key: string,
  [severity, openedAt, keys, history, ownEvidence, findingId, resolvedAt]: CompactFinding,
): { finding: OpenFinding; resolvedAt: string } {
  const events = history.map(
    ([at, kind, eventSeverity, eventEvidence]): FindingEvent => ({
      at: timeIn(base, at),
      event: EVENT_KINDS[kind] ?? invalid(`event kind ${kind}`),
      severity: SEVERITIES[eventSeverity] ?? invalid(`severity ${eventSeverity}`),
      evidence: evidenceIn(keys, eventEvidence),
    }),
  );
  const last = events[events.length - 1];
  const opened = timeIn(base, openedAt);
  const bar = key.indexOf('|');
  const finding: OpenFinding = {
    findingId: findingId || findingIdOf(installationId, key.slice(0, bar), key.slice(bar + 1), opened),
    severity: SEVERITIES[severity] ?? invalid(`severity ${severity}`),
    openedAt: opened,
    evidence: ownEvidence ? evidenceIn(keys, ownEvidence) : (last?.evidence ?? invalid('a finding without evidence')),
    history: events,
  };
  return { finding, resolvedAt: resolvedAt !== undefined ? timeIn(base, resolvedAt) : (last?.at ?? opened) };
}

function invalid(what: string): never {
  throw new Error(`stored rules state: invalid ${what}`);
}

// ---- the state ----

/**
 * The entries of a state that can be stored apart from the item every batch writes, by id: each
 * beat type's watermark, each fact and series of each rule, each tracker's findings.
 */
export const entry = {
  watermark: (type: string) => `n\u0000${type}`,
  fact: (ruleId: string, key: string) => `f\u0000${ruleId}\u0000${key}`,
  series: (ruleId: string, key: string) => `s\u0000${ruleId}\u0000${key}`,
  findings: (trackerKey: string) => `k\u0000${trackerKey}`,
};

/**
 * How a state's blob relates to the blob of entries stored apart: which entries it leaves out
 * (their value is the one apart), that blob's hash (apartHashOf), and which entries of that blob
 * were deleted since.
 */
export interface ApartPlacement {
  readonly omit: ReadonlySet<string>;
  readonly hash: string;
  /** the state version written with that blob */
  readonly writtenAt: number;
  readonly deleted?: ReadonlySet<string>;
  /** entries of that blob written as patches of their value there (they are in `omit` too) */
  readonly patches?: ReadonlyMap<string, EntryPatch>;
}

/** How an entry stored apart changed since: a series' points dropped and appended, or a fact's edits. */
export type EntryPatch =
  | { readonly drop: number; readonly append: readonly Point[] }
  | { readonly edits: readonly (readonly [readonly (string | number)[], unknown])[] };

/** What a read found apart: the blob's hash and version, the entries it holds, those whose value came from it. */
export interface ApartRead {
  readonly hash: string;
  readonly writtenAt: number;
  readonly stored: ReadonlySet<string>;
  readonly fromApart: ReadonlySet<string>;
  /** the value in that blob of each series and fact (what a patch is made against) */
  readonly base: ReadonlyMap<string, unknown>;
}

/** An entry id's parts: `s` (series), `f` (fact), `n` (watermark) or `k` (findings), and the rest. */
function idParts(id: string): { kind: string; ruleId: string; key: string } {
  const rest = id.slice(2);
  const cut = rest.indexOf('\u0000');
  return { kind: id[0]!, ruleId: rest.slice(0, cut), key: rest.slice(cut + 1) };
}

/**
 * The patch turning `base`, an entry's value stored apart, into `value`, when it is at most half
 * the size of `value` written whole (undefined otherwise): a series that lost points at its front
 * and gained some at its end, a fact whose structure is the same with a few values changed.
 */
export function patchOf(id: string, base: unknown, value: unknown): EntryPatch | undefined {
  if (id[0] === 's') return seriesPatchOf(base as readonly Point[], value as readonly Point[]);
  if (id[0] !== 'f') return undefined;
  const edits: [(string | number)[], unknown][] = [];
  if (!diffInto(base, value, [], edits) || edits.length === 0) return undefined;
  return JSON.stringify(edits).length * 2 <= JSON.stringify(value).length ? { edits } : undefined;
}

function seriesPatchOf(base: readonly Point[], value: readonly Point[]): EntryPatch | undefined {
  if (value.length === 0) return undefined;
  const first = value[0]!.t;
  let drop = 0;
  while (drop < base.length && base[drop]!.t !== first) drop++;
  const kept = base.length - drop;
  if (kept === 0 || kept > value.length) return undefined;
  for (let i = 0; i < kept; i++) {
    const a = base[drop + i]!;
    const b = value[i]!;
    if (a.t !== b.t || a.v !== b.v) return undefined;
  }
  const append = value.slice(kept);
  return append.length * 2 <= value.length ? { drop, append } : undefined;
}

/** The edits turning `a` into `b` into `edits`; false when only replacing the whole value would do. */
function diffInto(a: unknown, b: unknown, path: (string | number)[], edits: [(string | number)[], unknown][]): boolean {
  if (a === b) return true;
  if (b === undefined) return false; // JSON cannot say it
  const replace = () => {
    if (path.length === 0) return false;
    edits.push([path, b]);
    return true;
  };
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return replace();
    for (let i = 0; i < b.length; i++) if (a[i] !== b[i] && !diffInto(a[i], b[i], [...path, i], edits)) return false;
    return true;
  }
  if (isObject(a) && isObject(b)) {
    for (const key in a) if (!(key in b)) return replace();
    for (const key in b) {
      if (UNSAFE_KEYS.has(key)) return false;
      if (a[key] !== b[key] && !diffInto(a[key], b[key], [...path, key], edits)) return false;
    }
    return true;
  }
  return replace();
}

/** A series apart with its patch applied: a new array, `base` left as it was. */
function patchedSeries(base: unknown, drop: number, append: readonly Point[]): Point[] {
  if (!Array.isArray(base) || drop > base.length) invalid('series patch');
  return [...(base as Point[]).slice(drop), ...append];
}

/** A fact apart with its edits applied: a new value, `base` left as it was. */
function patchedFact(base: unknown, edits: readonly CompactEdit[]): unknown {
  const out = structuredClone(base);
  for (const [path, value] of edits) {
    let holder: unknown = out;
    for (const step of path.slice(0, -1)) {
      holder = (holder as Record<string | number, unknown>)[step];
      if (holder === null || typeof holder !== 'object') invalid('fact patch path');
    }
    const last = path[path.length - 1]!;
    if (Array.isArray(holder) ? !(typeof last === 'number' && last < holder.length) : typeof last !== 'string')
      invalid('fact patch path');
    (holder as Record<string | number, unknown>)[last] = value;
  }
  return out;
}

/** A state read whose two items do not belong together (a write landed between them): read again. */
export class TornStateRead extends Error {
  constructor(readonly installationId: string) {
    super(`the stored state of ${installationId} changed while it was read`);
    this.name = 'TornStateRead';
  }
}

function pack(compact: CompactState): Buffer {
  const deflated = deflateRawSync(JSON.stringify(compact), DEFLATE);
  const out = Buffer.allocUnsafe(deflated.length + 1);
  out[0] = compact.p ? STATE_FORMAT_PATCHES : STATE_FORMAT;
  deflated.copy(out, 1);
  return out;
}

function unpack(bytes: Uint8Array): CompactState {
  if (bytes[0] !== STATE_FORMAT && bytes[0] !== STATE_FORMAT_PATCHES)
    throw new Error(`stored rules state: unknown format ${bytes[0]}`);
  return compactStateOf(JSON.parse(inflateRawSync(bytes.subarray(1), INFLATE).toString('utf8')));
}

/** Names the blob of the entries stored apart, so the main one can say which it goes with. */
export const apartHashOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url').slice(0, 11);

/** The entries `keep` keeps: watermarks, memory, findings (the parts both blobs have). */
function entriesOut(state: InstallationState, base: number, keep: (id: string) => boolean): CompactState {
  const compact: CompactState = watermarksOut(base, state, keep);
  const memory: NonNullable<CompactState['m']> = {};
  for (const ruleId in state.memory) {
    const { series, facts } = state.memory[ruleId]!;
    const out: NonNullable<CompactState['m']>[string] = {};
    for (const key in series) {
      const points = series[key]!;
      if (points.length === 0 || !keep(entry.series(ruleId, key))) continue;
      out.s ??= {};
      out.s[key] = seriesOut(base, points);
    }
    const paths: string[][] = [];
    for (const key in facts) {
      if (facts[key] === undefined || !keep(entry.fact(ruleId, key))) continue;
      out.f ??= {};
      out.f[key] = deltasOut(facts[key], [key], paths);
    }
    if (paths.length > 0) out.d = paths;
    if (out.s || out.f) memory[ruleId] = out;
  }
  if (Object.keys(memory).length > 0) compact.m = memory;
  const findings: NonNullable<CompactState['f']> = {};
  for (const key in state.trackers) {
    const { open, resolved } = state.trackers[key]!;
    if ((!open && !resolved) || !keep(entry.findings(key))) continue;
    const held: CompactTrackerFindings = [open ? findingOut(base, state.installationId, key, open, undefined) : 0];
    if (resolved) held.push(findingOut(base, state.installationId, key, resolved, resolved.resolvedAt));
    findings[key] = held;
  }
  if (Object.keys(findings).length > 0) compact.f = findings;
  return compact;
}

/**
 * The stored form of a state, the blob its item holds: format byte + raw deflate of the compact
 * JSON. With `apart`, the entries it omits are left out (their value is in the blob stored apart),
 * named only when deleted since that blob was written.
 */
export function encodeState(state: InstallationState, apart?: ApartPlacement): Buffer {
  const base = state.lastBeatAt ?? 0;
  const compact = entriesOut(state, base, apart ? (id) => !apart.omit.has(id) : () => true);
  const trackers: NonNullable<CompactState['k']> = {};
  for (const key in state.trackers) {
    const { hits, clears, open, resolved, shift } = state.trackers[key]!;
    const tracker: CompactTracker = [hits, clears];
    if (open || resolved || shift) tracker.push(open ? 1 : 0);
    if (resolved || shift) tracker.push(resolved ? 1 : 0);
    if (shift) tracker.push(SEVERITIES.indexOf(shift.severity), shift.count);
    trackers[key] = tracker;
  }
  if (Object.keys(trackers).length > 0) compact.k = trackers;
  if (Object.keys(state.checkpoints).length > 0) compact.c = state.checkpoints;
  if (apart) {
    compact.ah = apart.hash;
    compact.av = apart.writtenAt;
    for (const id of apart.deleted ?? []) {
      const { kind, ruleId, key } = idParts(id) as { kind: 's' | 'f'; ruleId: string; key: string };
      compact.x ??= {};
      compact.x.m ??= {};
      const deletedOfRule = compact.x.m[ruleId] ?? {};
      compact.x.m[ruleId] = deletedOfRule;
      const keys = deletedOfRule[kind] ?? [];
      deletedOfRule[kind] = keys;
      keys.push(key);
    }
    for (const [id, patch] of apart.patches ?? []) {
      const { ruleId, key } = idParts(id);
      compact.p ??= {};
      const ofRule = compact.p[ruleId] ?? {};
      compact.p[ruleId] = ofRule;
      if ('edits' in patch) {
        ofRule.f ??= {};
        ofRule.f[key] = patch.edits as CompactEdit[];
      } else {
        ofRule.s ??= {};
        ofRule.s[key] = [patch.drop, seriesOut(base, patch.append)];
      }
    }
  }
  return pack(compact);
}

/** The blob of the entries stored apart (their own time base), or undefined when there are none. */
export function encodeApart(state: InstallationState, ids: ReadonlySet<string>): Buffer | undefined {
  if (ids.size === 0) return undefined;
  const base = state.lastBeatAt ?? 0;
  return pack({ b: base, ...entriesOut(state, base, (id) => ids.has(id)) });
}

interface Entries {
  newest: Partial<Record<BeatType, number>>;
  atNewest: Partial<Record<BeatType, readonly number[]>>;
  memory: Record<string, { series: Record<string, Point[]>; facts: Record<string, unknown> }>;
  findings: Record<string, { open?: OpenFinding; resolved?: OpenFinding & { resolvedAt: string } }>;
}

function entriesIn(compact: CompactState, base: number, installationId: string): Entries {
  const { newest, atNewest } = watermarksIn(base, compact);
  const memory: Entries['memory'] = {};
  for (const ruleId in compact.m) {
    const { s, f, d } = compact.m[ruleId]!;
    const series: Record<string, Point[]> = {};
    for (const key in s) series[key] = seriesIn(base, s[key]!);
    const facts = { ...f };
    if (d) deltasIn(facts, d);
    memory[ruleId] = { series, facts };
  }
  const findings: Entries['findings'] = {};
  for (const key in compact.f) {
    const [open, resolved] = compact.f[key]!;
    const held: Entries['findings'][string] = {};
    if (open) held.open = findingIn(base, installationId, key, open).finding;
    if (resolved) {
      const { finding, resolvedAt } = findingIn(base, installationId, key, resolved);
      held.resolved = { ...finding, resolvedAt };
    }
    findings[key] = held;
  }
  return { newest, atNewest, memory, findings };
}

/** Reads a state back from its blob and, when it names entries stored apart, theirs. */
export function decodeState(
  bytes: Uint8Array,
  plain: PlainStateAttributes,
  apartBytes?: Uint8Array,
): InstallationState {
  return decodeStoredState(bytes, plain, apartBytes).state;
}

/** decodeState, with what was found apart; throws TornStateRead when the two blobs do not go together. */
export function decodeStoredState(
  bytes: Uint8Array,
  plain: PlainStateAttributes,
  apartBytes?: Uint8Array,
): { state: InstallationState; apart: ApartRead | undefined } {
  const compact = unpack(bytes);
  const base = plain.lastBeatAt ?? 0;
  const main = entriesIn(compact, base, plain.installationId);
  let apart: ApartRead | undefined;
  let findingsApart: Entries['findings'] = {};
  if (compact.ah !== undefined) {
    if (!apartBytes || apartHashOf(apartBytes) !== compact.ah) throw new TornStateRead(plain.installationId);
    const stored = unpack(apartBytes);
    const other = entriesIn(stored, stored.b ?? base, plain.installationId);
    const storedIds = new Set<string>();
    const fromApart = new Set<string>();
    const baseValues = new Map<string, unknown>();
    for (const type in other.newest) {
      const t = type as BeatType;
      storedIds.add(entry.watermark(type));
      if (main.newest[t] !== undefined) continue;
      main.newest[t] = other.newest[t];
      main.atNewest[t] = other.atNewest[t]!;
      fromApart.add(entry.watermark(type));
    }
    for (const ruleId in other.memory) {
      const from = other.memory[ruleId]!;
      const deleted = compact.x?.m?.[ruleId];
      const to = main.memory[ruleId] ?? { series: {}, facts: {} };
      main.memory[ruleId] = to;
      for (const key in from.series) {
        const id = entry.series(ruleId, key);
        storedIds.add(id);
        if (deleted?.s?.includes(key)) continue;
        baseValues.set(id, from.series[key]);
        if (key in to.series) continue;
        to.series[key] = from.series[key]!;
        fromApart.add(id);
      }
      for (const key in from.facts) {
        const id = entry.fact(ruleId, key);
        storedIds.add(id);
        if (deleted?.f?.includes(key)) continue;
        baseValues.set(id, from.facts[key]);
        if (key in to.facts) continue;
        to.facts[key] = from.facts[key];
        fromApart.add(id);
      }
      if (Object.keys(to.series).length === 0 && Object.keys(to.facts).length === 0) delete main.memory[ruleId];
    }
    findingsApart = other.findings;
    for (const key in other.findings) {
      storedIds.add(entry.findings(key));
      const flags = compact.k?.[key];
      if (main.findings[key] === undefined && flags && (flags[2] || flags[3])) fromApart.add(entry.findings(key));
    }
    for (const ruleId in compact.p) {
      const { s, f } = compact.p[ruleId]!;
      const to = main.memory[ruleId] ?? { series: {}, facts: {} };
      main.memory[ruleId] = to;
      const baseOf = (id: string) => (baseValues.has(id) ? baseValues.get(id) : invalid('patch of an entry not apart'));
      for (const key in s) {
        const [drop, appended] = s[key]!;
        to.series[key] = patchedSeries(baseOf(entry.series(ruleId, key)), drop, seriesIn(base, appended));
      }
      for (const key in f) to.facts[key] = patchedFact(baseOf(entry.fact(ruleId, key)), f[key]!);
    }
    apart = { hash: compact.ah, writtenAt: compact.av ?? 0, stored: storedIds, fromApart, base: baseValues };
  } else if (compact.p) invalid('patches without entries apart');

  const trackers: Record<string, Tracker> = {};
  for (const key in compact.k) {
    const [hits, clears, hasOpen, hasResolved, shiftRank, shiftCount] = compact.k[key]!;
    const tracker: { -readonly [K in keyof Tracker]: Tracker[K] } = { hits, clears };
    if (shiftRank !== undefined) tracker.shift = { severity: SEVERITIES[shiftRank]!, count: shiftCount! };
    const held = main.findings[key] ?? findingsApart[key];
    if (hasOpen) tracker.open = held?.open ?? invalid(`open finding of ${key}`);
    if (hasResolved) tracker.resolved = held?.resolved ?? invalid(`resolved finding of ${key}`);
    trackers[key] = tracker;
  }

  const memory: Record<string, RuleMemoryState> = main.memory;
  const state: InstallationState = {
    installationId: plain.installationId,
    accountId: plain.accountId,
    version: plain.version,
    ...(plain.lastBeatAt !== undefined ? { lastBeatAt: plain.lastBeatAt } : {}),
    newest: main.newest,
    atNewest: main.atNewest,
    memory,
    trackers,
    checkpoints: { ...compact.c },
  };
  return { state, apart };
}

// ---- the open findings summary (support's lists read it from the STATE item and gsi2) ----

/** [rule id, subject, severity, openedAt (epoch ms, or the ISO string when not canonical), finding id?] */
type CompactOpenFinding = [string, string, number, number | string, string?];
const isOpenFinding = (v: unknown): v is CompactOpenFinding =>
  Array.isArray(v) &&
  (v.length === 4 || (v.length === 5 && typeof v[4] === 'string')) &&
  typeof v[0] === 'string' &&
  typeof v[1] === 'string' &&
  isInt(v[2]) &&
  isTime(v[3]);

/**
 * The open findings of a state as support's lists read them: deflated like the state (about a
 * fifth of the bytes of a list of strings, and the item is written every 5 minutes), the finding
 * id left out when findingIdOf gives it. Undefined when no finding is open.
 */
export function encodeOpenFindings(state: InstallationState): Buffer | undefined {
  const out: CompactOpenFinding[] = [];
  for (const key in state.trackers) {
    const open = state.trackers[key]!.open;
    if (!open) continue;
    const bar = key.indexOf('|');
    const ruleId = key.slice(0, bar);
    const subject = key.slice(bar + 1);
    const at = timeOut(0, open.openedAt);
    const entry: CompactOpenFinding = [
      ruleId,
      subject,
      SEVERITIES.indexOf(open.severity),
      typeof at === 'number' ? -at : at,
    ];
    if (open.findingId !== findingIdOf(state.installationId, ruleId, subject, open.openedAt))
      entry.push(open.findingId);
    out.push(entry);
  }
  if (out.length === 0) return undefined;
  const deflated = deflateRawSync(JSON.stringify(out), DEFLATE);
  const bytes = Buffer.allocUnsafe(deflated.length + 1);
  bytes[0] = STATE_FORMAT;
  deflated.copy(bytes, 1);
  return bytes;
}

export function decodeOpenFindings(installationId: string, bytes: Uint8Array): OpenFindingSummary[] {
  if (bytes[0] !== STATE_FORMAT) throw new Error(`stored open findings: unknown format ${bytes[0]}`);
  const list: unknown = JSON.parse(inflateRawSync(bytes.subarray(1), INFLATE).toString('utf8'));
  if (!Array.isArray(list) || !list.every(isOpenFinding)) invalid('open findings');
  return list.map(([ruleId, subject, severity, at, id]) => {
    const openedAt = typeof at === 'string' ? at : timeIn(0, -at);
    return {
      findingId: id ?? findingIdOf(installationId, ruleId, subject, openedAt),
      ruleId,
      subject,
      severity: SEVERITIES[severity] ?? invalid(`severity ${severity}`),
      openedAt,
    };
  });
}
