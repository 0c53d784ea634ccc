/**
 * Finding lifecycle for one (installation, rule, subject): a finding opens after N consecutive
 * hits, resolves after M consecutive clears, while open rises in severity after N at a higher one
 * and falls after M at a lower one, and a relapse soon after resolving reopens the same finding
 * quietly instead of paging again.
 */
import { createHash } from 'node:crypto';
import type { Hysteresis, Severity, Signal } from './rule';
import { severityRank } from './rule';
import {
  HISTORY_EVENTS,
  type FindingEvent,
  type FindingEventKind,
  type OpenFinding,
  type SeverityShift,
  type Tracker,
} from './state';

/** A relapse within this window after resolution reopens the same finding without a notification. */
export const REOPEN_WINDOW_MS = 6 * 3_600_000;

export interface LifecycleChange {
  readonly kind: FindingEventKind;
  readonly finding: OpenFinding;
  readonly status: 'open' | 'resolved';
  readonly resolvedAt?: string;
}

/** Deterministic, so a retried batch opens the very same finding. */
export function findingIdOf(installationId: string, ruleId: string, subject: string, openedAt: string): string {
  return `fnd_${createHash('sha256').update(`${installationId}|${ruleId}|${subject}|${openedAt}`).digest('base64url').slice(0, 22)}`;
}

const withEvent = (history: readonly FindingEvent[], event: FindingEvent) => [...history, event].slice(-HISTORY_EVENTS);

export function applySignal(
  tracker: Tracker | undefined,
  signal: Signal,
  hysteresis: Hysteresis,
  context: { installationId: string; ruleId: string; at: string },
): { tracker: Tracker | undefined; change?: LifecycleChange } {
  const hits = tracker?.hits ?? 0;
  const clears = tracker?.clears ?? 0;
  const open = tracker?.open;
  const resolved = tracker?.resolved;
  const { at } = context;

  if (signal.severity === null) {
    const next: Tracker = { hits: 0, clears: clears + 1, ...(open ? { open } : {}), ...(resolved ? { resolved } : {}) };
    if (open && next.clears >= hysteresis.resolveAfter) {
      const finding: OpenFinding = {
        ...open,
        history: withEvent(open.history, { at, event: 'resolved', severity: open.severity, evidence: signal.evidence }),
      };
      return {
        tracker: { hits: 0, clears: next.clears, resolved: { ...finding, resolvedAt: at } },
        change: { kind: 'resolved', finding, status: 'resolved', resolvedAt: at },
      };
    }
    if (!open && (!resolved || Date.parse(at) - Date.parse(resolved.resolvedAt) > REOPEN_WINDOW_MS)) {
      return { tracker: undefined }; // nothing to remember: keeps the state item small
    }
    return { tracker: next };
  }

  const counted: Tracker = { hits: hits + 1, clears: 0, ...(open ? { open } : {}), ...(resolved ? { resolved } : {}) };
  if (open) {
    if (signal.severity === open.severity) return { tracker: counted };
    const shift = shifted(tracker?.shift, signal.severity, open.severity);
    const up = severityRank[shift.severity] > severityRank[open.severity];
    if (shift.count < (up ? hysteresis.openAfter : hysteresis.resolveAfter)) return { tracker: { ...counted, shift } };
    const { severity } = shift;
    const kind = up ? 'escalated' : 'deescalated';
    const finding: OpenFinding = {
      ...open,
      severity,
      evidence: signal.evidence,
      history: withEvent(open.history, { at, event: kind, severity, evidence: signal.evidence }),
    };
    return { tracker: { ...counted, open: finding }, change: { kind, finding, status: 'open' } };
  }
  const severity: Severity = signal.severity;
  if (counted.hits < hysteresis.openAfter) return { tracker: counted };

  if (resolved && Date.parse(at) - Date.parse(resolved.resolvedAt) <= REOPEN_WINDOW_MS) {
    const { resolvedAt: _resolvedAt, ...previous } = resolved;
    const finding: OpenFinding = {
      ...previous,
      severity,
      evidence: signal.evidence,
      history: withEvent(previous.history, { at, event: 'reopened', severity, evidence: signal.evidence }),
    };
    return {
      tracker: { hits: counted.hits, clears: 0, open: finding },
      change: { kind: 'reopened', finding, status: 'open' },
    };
  }
  const finding: OpenFinding = {
    findingId: findingIdOf(context.installationId, context.ruleId, signal.subject, at),
    severity,
    openedAt: at,
    evidence: signal.evidence,
    history: [{ at, event: 'opened', severity, evidence: signal.evidence }],
  };
  return {
    tracker: { hits: counted.hits, clears: 0, open: finding },
    change: { kind: 'opened', finding, status: 'open' },
  };
}

/**
 * The run of evaluations on one side of an open finding's severity, this one counted: a severity
 * changes only once it held as long as opening (up) or resolving (down) takes, to the level the
 * whole run reached, so a value flapping across a threshold does not page twice.
 */
function shifted(was: SeverityShift | undefined, severity: Severity, current: Severity): SeverityShift {
  const up = severityRank[severity] > severityRank[current];
  if (!was || severityRank[was.severity] > severityRank[current] !== up) return { severity, count: 1 };
  const held = up === severityRank[severity] < severityRank[was.severity] ? severity : was.severity;
  return { severity: held, count: was.count + 1 };
}
