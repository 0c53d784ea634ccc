/**
 * Subjects a rule signalled on its last evaluation: one no longer reported gets a clear on each of
 * the next `resolveAfter` evaluations (enough to resolve its finding) and is then forgotten, so no
 * finding stays open on a process, service, adapter or product that is gone.
 */
import type { RuleMemory, Signal } from '../rule';

interface Remembered {
  /** subjects of the last evaluation, in signal order */
  readonly p: readonly string[];
  /** vanished subjects → clears already sent (absent almost always) */
  readonly g?: Readonly<Record<string, number>>;
}

const NO_SUBJECTS: readonly string[] = [];
const VANISHED = { reported: false } as const;

function reported(signals: readonly Signal[], present: number, subject: string): boolean {
  for (let i = 0; i < present; i++) if (signals[i]!.subject === subject) return true;
  return false;
}

/**
 * Appends the clears for remembered subjects missing from `signals` (whose subjects must be unique)
 * and remembers the subjects of `signals`. Reads one fact; writes it (a new object: the previous
 * state is never mutated) only when the subjects changed, so a steady installation costs one compare.
 */
export function clearVanished(memory: RuleMemory, signals: Signal[], resolveAfter: number, key = 'subjects'): Signal[] {
  const before = memory.fact<Remembered>(key);
  const was = before?.p ?? NO_SUBJECTS;
  const present = signals.length;
  let same = was.length === present && before?.g === undefined;
  for (let i = 0; same && i < present; i++) same = signals[i]!.subject === was[i];
  if (same) return signals;

  let gone: Record<string, number> | undefined;
  const vanish = (subject: string, cleared: number) => {
    signals.push({ subject, severity: null, evidence: VANISHED });
    if (cleared >= resolveAfter) return;
    gone ??= {};
    gone[subject] = cleared;
  };
  if (before?.g)
    for (const subject in before.g) if (!reported(signals, present, subject)) vanish(subject, before.g[subject]! + 1);
  for (const subject of was) if (!reported(signals, present, subject)) vanish(subject, 1);
  const p = signals.slice(0, present).map((s) => s.subject);
  memory.setFact(key, gone ? { p, g: gone } : { p });
  return signals;
}
