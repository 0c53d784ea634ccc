/**
 * Subjects a rule signalled on its last evaluations: one no longer reported gets a clear on each of
 * the next `resolveAfter` evaluations (enough to resolve its finding) and is then forgotten, so no
 * finding stays open on a process, service, adapter or product that is gone.
 */
import type { RuleMemory, Signal } from '../rule';

const NONE: Readonly<Record<string, number>> = Object.freeze({});
const VANISHED = { reported: false } as const;

/**
 * Appends the clears for remembered subjects missing from `signals` (whose subjects must be unique)
 * and remembers the subjects of `signals`. Memory holds subject → evaluations absent, and is only
 * written (as a new object: the previous state is never mutated) when that changes.
 */
export function clearVanished(memory: RuleMemory, signals: Signal[], resolveAfter: number, key = 'subjects'): Signal[] {
  const before = memory.fact<Readonly<Record<string, number>>>(key) ?? NONE;
  const present = signals.length;
  let next: Record<string, number> | undefined;
  for (let i = 0; i < present; i++) {
    const subject = signals[i]!.subject;
    if (!Object.hasOwn(before, subject) || before[subject] !== 0) (next ??= { ...before })[subject] = 0;
  }
  for (const subject in before) {
    let found = false;
    for (let i = 0; i < present && !found; i++) found = signals[i]!.subject === subject;
    if (found) continue;
    signals.push({ subject, severity: null, evidence: VANISHED });
    const absent = before[subject]! + 1;
    next ??= { ...before };
    if (absent >= resolveAfter) delete next[subject];
    else next[subject] = absent;
  }
  if (next) memory.setFact(key, next);
  return signals;
}
