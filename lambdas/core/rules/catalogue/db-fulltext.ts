/** db-fulltext: the database's full-text catalog is in a state other than idle/healthy for 2 beats. */
import * as z from 'zod/mini';
import { defineRule, type Signal } from '../rule';
import { trackDatabase } from './db-growth-forecast';

/** ASCII case-insensitive equality without allocating lower-cased copies. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

const hysteresis = { openAfter: 2, resolveAfter: 2 };

export const rule = defineRule({
  id: 'db-fulltext',
  description: 'Full-text catalog not healthy (any state other than idle/healthy for 2 beats)',
  reads: ['ucx.database'],
  fields: ['ucx.database:name', 'ucx.database:fullTextCatalogStatus'],
  config: z.object({
    /** states that are fine (case-insensitive); an empty status means no catalog and is fine too */
    healthyStatuses: z._default(z.array(z.string()), ['idle', 'healthy']),
    severity: z._default(z.enum(['info', 'warning', 'critical']), 'warning'),
    /** a database missing from this many collection rounds while others were reported is forgotten, its finding resolved */
    forgetAfterRounds: z._default(z.int().check(z.gte(1)), 6),
  }),
  hysteresis,
  explain: {
    title: 'Full-text catalog of database {subject} not healthy',
    message:
      'The full-text catalog of database {subject} is in the state "{status}": searches in the suite (contacts, call history) may miss results.',
    nextStep:
      'Rebuild the full-text catalog in SQL Server Management Studio and check that the SQL Full-text Filter Daemon Launcher service runs.',
  },
  evaluate({ beat, at, late, memory, config }): readonly Signal[] {
    if (beat.type !== 'ucx.database') return [];
    const { name, fullTextCatalogStatus: status } = beat.data;
    const signals: Signal[] = [];
    if (!trackDatabase(memory, name, at, late, config.forgetAfterRounds, hysteresis.resolveAfter, signals)) return [];
    let healthy = status.length === 0;
    for (let i = 0; i < config.healthyStatuses.length && !healthy; i++)
      healthy = sameText(status, config.healthyStatuses[i]!);
    signals.push({ subject: name, severity: healthy ? null : config.severity, evidence: { status } });
    return signals;
  },
});
