/**
 * Privacy of one beat before anything is stored: validate it against the catalogue, drop unknown
 * fields, and redact free text that could name a person (profile paths, accounts, e-mail addresses).
 */
import * as z from 'zod/mini';
import type { FieldError } from '../errors';
import {
  ARRAY_ITEMS,
  IDENTITY_TEXT,
  beatDataSchemas,
  beatDataStrippingSchemas,
  beatEnvelopeSchema,
  beatIdSchema,
  beatTypes,
  catalogueLeaves,
  collectedAtSchema,
  type Beat,
  type BeatType,
} from './catalogue';
import { compileCheck, type Check } from './compiled-check';

export type RedactionReason = 'unknown-field' | 'user-profile-path' | 'service-identity' | 'email-address';

export interface Redaction {
  /** path inside the beat, e.g. `data.services.3.startIdentity` */
  readonly path: string;
  readonly reason: RedactionReason;
}

export type SanitizeResult = { ok: true; beat: Beat; redactions: Redaction[] } | { ok: false; errors: FieldError[] };

export const REDACTED = '<redacted>';

// ---------------------------------------------------------------------------------------------
// Free-text fields, read once from the catalogue: every plain string (no format, no enum) is
// free text; a field marked IDENTITY_TEXT holds a whole account name.

interface TextField {
  readonly path: string;
  readonly segments: readonly (string | typeof ARRAY_ITEMS)[];
  readonly identity: boolean;
}

/** A string's format, its own (datetime, uuid) or a check's (regex): a string with one is not free text. */
const formatOf = (schema: z.core.$ZodType): string | undefined =>
  [schema, ...(schema._zod.def.checks ?? [])].map((c) => (c._zod.def as { format?: string }).format).find(Boolean);

function textFieldsOf(schema: z.ZodMiniType): TextField[] {
  return catalogueLeaves(schema)
    .filter((leaf) => leaf.schema instanceof z.ZodMiniString && !formatOf(leaf.schema))
    .map((leaf) => ({
      path: leaf.path,
      segments: leaf.segments,
      identity: z.globalRegistry.get(leaf.schema)?.['x-ucx-text'] === IDENTITY_TEXT,
    }));
}

const textFields = Object.fromEntries(
  beatTypes.map((type) => [type, textFieldsOf(beatDataSchemas[type])]),
) as unknown as Record<BeatType, readonly TextField[]>;

/** The free-text field paths redacted for each beat type (`[]` marks array items). */
export function freeTextFields(type: BeatType): { path: string; identity: boolean }[] {
  return textFields[type].map(({ path, identity }) => ({ path, identity }));
}

// ---------------------------------------------------------------------------------------------
// Patterns, compiled once. A profile folder name follows account-name rules (no " / \ [ ] : ; | =
// , + * ? < >); it may hold spaces when a separator follows it (`C:\Users\Mario Rossi\AppData`).

const NAME = String.raw`(?:[^\\/\r\n"\[\]:;|=,+*?<>]+(?=[\\/])|[^\\/\s"\[\]:;|=,+*?<>]+)`;
const WINDOWS_PROFILE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])((?:[a-z]:[\\/]|\\\\[^\\/\s]+\\(?:[a-z]\$\\)?)(?:Users|Documents and Settings)[\\/])(${NAME})`,
  'giu',
);
const UNIX_PROFILE = new RegExp(String.raw`(\/(?:home|Users)\/)(${NAME})`, 'giu');
const BUILT_IN_PROFILE = /^(?:public|default|all users|default user)$/i;

const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}[\p{L}\p{N}-]*/gu;
/** `user@DOMAIN`: an account (user principal name) with a NetBIOS domain; dotted ones are e-mail-shaped */
const ACCOUNT_AT_DOMAIN = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@\p{L}[\p{L}\p{N}-]*(?![\p{L}\p{N}.@-])/gu;

/** cheap test before the profile patterns: most paths name no profile folder */
const MAY_NAME_PROFILE =
  /[\\/](?:[uU][sS][eE][rR][sS]|[hH][oO][mM][eE]|[dD][oO][cC][uU][mM][eE][nN][tT][sS] [aA][nN][dD] [sS][eE][tT][tT][iI][nN][gG][sS])[\\/]/;
const BUILT_IN_DOMAIN_WORD = /^(?:AUTHORITY|SERVICE)$/i;
const BUILT_IN_IDENTITY =
  /^(?:LocalSystem|LocalService|NetworkService|\.\\LocalSystem|NT AUTHORITY\\[^\\]+|NT SERVICE\\[^\\]+)$/i;
const FILE_EXTENSION = /\.[\p{L}\p{N}]{1,4}$/u;

const PROFILE_BIT = 1;
const IDENTITY_BIT = 2;
const EMAIL_BIT = 4;
/** reasons found in the string last passed to redactText (a module slot: no allocation per call) */
let found = 0;

function redactProfile(match: string, prefix: string, name: string): string {
  if (BUILT_IN_PROFILE.test(name)) return match;
  found |= PROFILE_BIT;
  return prefix + REDACTED;
}

function redactEmail(): string {
  found |= EMAIL_BIT;
  return REDACTED;
}

function redactAccountAtDomain(): string {
  found |= IDENTITY_BIT;
  return REDACTED;
}

const SPACE = 32;
const isWhitespace = (code: number) => code === SPACE || (code >= 9 && code <= 13);

/**
 * `Files\UCX` in `C:\Program Files\UCX` is a path segment, not an account: a candidate right after
 * a space whose previous word is a path not ending in a file name continues that path.
 */
function continuesPath(text: string, offset: number): boolean {
  let end = offset - 1;
  if (end < 0 || text.charCodeAt(end) !== SPACE) return false;
  while (end >= 0 && text.charCodeAt(end) === SPACE) end--;
  let start = end;
  while (start >= 0 && !isWhitespace(text.charCodeAt(start))) start--;
  const previous = text.slice(start + 1, end + 1);
  return (previous.includes('\\') || previous.includes('/')) && !FILE_EXTENSION.test(previous);
}

// `DOMAIN\user` and `.\user` are found by a scan anchored on each backslash (a regex with a
// lookbehind costs ~10x more on every path). DOMAIN: letters, digits, `. _ -`, at most 63, starting
// with a letter or digit (or `.` alone); user: account-name characters.
const MAX_DOMAIN = 63;
const DELIMITERS_BEFORE = new Set([...'"\'([{<,;=|:'].map((c) => c.charCodeAt(0)));
const NOT_IN_USER = new Set([...'\\/"\'[]:;|=,+*?<>()@'].map((c) => c.charCodeAt(0)));
const BACKSLASH = 92;
const SLASH = 47;
const DOT = 46;

const isAsciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** non-ASCII counts as a letter, as accounts may hold any */
const isDomainChar = (c: number) => isAsciiAlnum(c) || c === DOT || c === 95 || c === 45 || c > 127;
const isUserChar = (c: number) => !isWhitespace(c) && !NOT_IN_USER.has(c);
const startsWord = (text: string, index: number) => {
  if (index < 0) return true;
  const c = text.charCodeAt(index);
  return isWhitespace(c) || DELIMITERS_BEFORE.has(c);
};

/** `NT AUTHORITY\…` / `NT SERVICE\…`: the word before the backslash follows a standalone `NT `. */
function isBuiltInDomain(text: string, domainStart: number, domainEnd: number): boolean {
  if (domainStart < 3 || text.charCodeAt(domainStart - 1) !== SPACE) return false;
  const nt = text.charCodeAt(domainStart - 3) | 0x20;
  const t = text.charCodeAt(domainStart - 2) | 0x20;
  return (
    nt === 110 &&
    t === 116 &&
    startsWord(text, domainStart - 4) &&
    BUILT_IN_DOMAIN_WORD.test(text.slice(domainStart, domainEnd))
  );
}

function redactAccountsWithBackslash(text: string): string {
  let out = '';
  let copied = 0;
  for (let slash = text.indexOf('\\'); slash !== -1; slash = text.indexOf('\\', slash + 1)) {
    let start = slash;
    while (start > 0 && isDomainChar(text.charCodeAt(start - 1))) start--;
    const domainLength = slash - start;
    if (domainLength === 0 || domainLength > MAX_DOMAIN || !startsWord(text, start - 1)) continue;
    const dotDomain = domainLength === 1 && text.charCodeAt(start) === DOT;
    if (!dotDomain && !isAsciiAlnum(text.charCodeAt(start)) && text.charCodeAt(start) <= 127) continue;
    let end = slash + 1;
    while (end < text.length && isUserChar(text.charCodeAt(end))) end++;
    const next = text.charCodeAt(end);
    if (end === slash + 1 || next === BACKSLASH || next === SLASH) continue;
    if (dotDomain && text.slice(slash + 1, end).toLowerCase() === 'localsystem') continue;
    if (!dotDomain && (isBuiltInDomain(text, start, slash) || continuesPath(text, start))) continue;
    out += text.slice(copied, start) + REDACTED;
    copied = end;
    found |= IDENTITY_BIT;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Redacts what could name a person in a free-text value; sets `found`. */
function redactText(value: string): string {
  found = 0;
  const backslash = value.includes('\\');
  const slash = value.includes('/');
  const at = value.includes('@');
  if (!backslash && !slash && !at) return value;
  let text = value;
  if ((backslash || slash) && MAY_NAME_PROFILE.test(text)) {
    text = text.replace(WINDOWS_PROFILE, redactProfile);
    if (slash) text = text.replace(UNIX_PROFILE, redactProfile);
  }
  if (at) text = text.replace(EMAIL, redactEmail).replace(ACCOUNT_AT_DOMAIN, redactAccountAtDomain);
  if (backslash) text = redactAccountsWithBackslash(text);
  return text;
}

/** A whole-value account (a service's start identity): kept only when built in. */
function redactIdentity(value: string): string {
  found = 0;
  if (value === '' || BUILT_IN_IDENTITY.test(value)) return value;
  found = IDENTITY_BIT;
  return REDACTED;
}

// ---------------------------------------------------------------------------------------------
// Walking the declared free-text paths of one parsed beat; the current path sits on a stack and
// becomes a string only when something is redacted.

const pathStack: (string | number)[] = [];

function report(redactions: Redaction[]): void {
  const path = pathStack.join('.');
  if (found & PROFILE_BIT) redactions.push({ path, reason: 'user-profile-path' });
  if (found & IDENTITY_BIT) redactions.push({ path, reason: 'service-identity' });
  if (found & EMAIL_BIT) redactions.push({ path, reason: 'email-address' });
}

/** while true, redactSlot only reports (the data is the caller's: copied before it is changed) */
let dryRun = false;

function redactSlot(
  container: Record<string | number, unknown>,
  key: string | number,
  field: TextField,
  redactions: Redaction[],
): void {
  const value = container[key];
  if (typeof value !== 'string') return;
  const redacted = field.identity ? redactIdentity(value) : redactText(value);
  if (found === 0) return;
  if (!dryRun) container[key] = redacted;
  report(redactions);
}

function walk(node: unknown, field: TextField, depth: number, redactions: Redaction[]): void {
  if (node === null || typeof node !== 'object') return;
  const segment = field.segments[depth];
  const last = depth === field.segments.length - 1;
  const container = node as Record<string | number, unknown>;
  if (segment === ARRAY_ITEMS) {
    if (!Array.isArray(node)) return;
    for (let i = 0; i < node.length; i++) {
      pathStack.push(i);
      if (last) redactSlot(container, i, field, redactions);
      else walk(node[i], field, depth + 1, redactions);
      pathStack.pop();
    }
  } else if (segment !== undefined) {
    pathStack.push(segment);
    if (last) redactSlot(container, segment, field, redactions);
    else walk(container[segment], field, depth + 1, redactions);
    pathStack.pop();
  }
}

// ---------------------------------------------------------------------------------------------

const ENVELOPE_KEYS = new Set(Object.keys(beatEnvelopeSchema.shape));

// The fast path: checks compiled from the same schemas (compiled-check.ts). A beat they accept is
// exactly what zod would return, so zod's copy is skipped; anything else takes zod's path, which
// names every issue and strips unknown keys.
const dataChecks = Object.fromEntries(beatTypes.map((type) => [type, compileCheck(beatDataSchemas[type])])) as Record<
  BeatType,
  Check | undefined
>;
const idCheck = compileCheck(beatIdSchema);
const collectedAtCheck = compileCheck(collectedAtSchema);

function redactAll(type: BeatType, data: unknown, redactions: Redaction[]): void {
  pathStack.length = 0;
  pathStack.push('data');
  for (const field of textFields[type]) walk(data, field, 0, redactions);
}

/** A beat whose envelope and data the compiled checks accept, sanitized without zod; else undefined. */
function sanitizeFast(raw: object): SanitizeResult | undefined {
  const { id, type, collectedAt, data } = raw as {
    id?: unknown;
    type?: unknown;
    collectedAt?: unknown;
    data?: unknown;
  };
  if (typeof type !== 'string' || !Object.hasOwn(dataChecks, type)) return undefined;
  const check = dataChecks[type as BeatType];
  if (!check || !idCheck?.(id) || !collectedAtCheck?.(collectedAt) || !check(data)) return undefined;
  const redactions: Redaction[] = [];
  for (const key in raw) if (!ENVELOPE_KEYS.has(key)) redactions.push({ path: key, reason: 'unknown-field' });
  const envelopeRedactions = redactions.length;
  // Report first, without touching the caller's data; copy it only when something is redacted.
  dryRun = true;
  try {
    redactAll(type as BeatType, data, redactions);
  } finally {
    dryRun = false;
  }
  let sanitized = data;
  if (redactions.length > envelopeRedactions) {
    sanitized = structuredClone(data);
    redactions.length = envelopeRedactions;
    redactAll(type as BeatType, sanitized, redactions);
  }
  return {
    ok: true,
    beat: { id: id as string, type: type as BeatType, collectedAt: collectedAt as string, data: sanitized } as Beat,
    redactions,
  };
}

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  if (path.length === 0) return prefix;
  const rest = path.map(String).join('.');
  return prefix ? `${prefix}.${rest}` : rest;
}

/**
 * Validates one beat against the catalogue, drops unknown fields (reported as `unknown-field`)
 * and redacts personal data in every free-text field. Never throws on bad input.
 */
export function sanitizeBeat(raw: unknown): SanitizeResult {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const fast = sanitizeFast(raw);
    if (fast) return fast;
  }
  const redactions: Redaction[] = [];
  const errors: FieldError[] = [];

  const envelope = beatEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    for (const issue of envelope.error.issues) errors.push({ path: issuePath('', issue.path), message: issue.message });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, errors };
  for (const key in raw) if (!ENVELOPE_KEYS.has(key)) redactions.push({ path: key, reason: 'unknown-field' });

  const { type, data: rawData } = raw as { type?: unknown; data?: unknown };
  let data: unknown;
  const knownType = typeof type === 'string' && Object.hasOwn(beatDataSchemas, type) ? (type as BeatType) : undefined;
  if (knownType && rawData !== null && typeof rawData === 'object' && !Array.isArray(rawData)) {
    const strict = beatDataSchemas[knownType].safeParse(rawData);
    if (strict.success) {
      data = strict.data;
    } else {
      let onlyUnknownKeys = true;
      for (const issue of strict.error.issues) {
        if (issue.code === 'unrecognized_keys') {
          for (const key of issue.keys)
            redactions.push({ path: issuePath('data', [...issue.path, key]), reason: 'unknown-field' });
        } else {
          onlyUnknownKeys = false;
          errors.push({ path: issuePath('data', issue.path), message: issue.message });
        }
      }
      if (onlyUnknownKeys) data = beatDataStrippingSchemas[knownType].parse(rawData);
    }
  }
  if (errors.length > 0 || !envelope.success || !knownType) return { ok: false, errors };

  redactAll(knownType, data, redactions);

  const { id, collectedAt } = envelope.data;
  return { ok: true, beat: { id, type: knownType, collectedAt, data } as Beat, redactions };
}
