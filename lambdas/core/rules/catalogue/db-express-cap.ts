/** db-express-cap: a SQL Server Express database nearing the edition's size cap. */
import * as z from 'zod';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const GIB = 1024 ** 3;

export const rule = defineRule({
  id: 'db-express-cap',
  description: 'SQL Server Express database nearing its size cap (10 GB up to SQL 2022, 50 GB from SQL 2025)',
  reads: ['ucx.database_server', 'ucx.database'],
  fields: ['ucx.database_server:edition', 'ucx.database_server:version', 'ucx.database:name', 'ucx.database:sizeBytes'],
  config: z.object({
    /** cap in bytes by the first SQL Server major version it applies from */
    capsByMajorVersion: z.array(z.object({ fromMajor: z.int(), capBytes: z.number().positive() })).default([
      { fromMajor: 0, capBytes: 10 * GIB },
      { fromMajor: 17, capBytes: 50 * GIB }, // SQL Server 2025
    ]),
    warnRatio: z.number().min(0).max(1).default(0.8),
    criticalRatio: z.number().min(0).max(1).default(0.9),
  }),
  hysteresis: STATE_FACT,
  evaluate({ beat, memory, config }): Signal[] {
    if (beat.type === 'ucx.database_server') {
      memory.setFact('server', { edition: beat.data.edition, version: beat.data.version });
      return [];
    }
    if (beat.type !== 'ucx.database') return [];
    const server = memory.fact<{ edition: string; version: string }>('server');
    if (!server) return []; // the edition is not known yet: nothing to judge
    const subject = beat.data.name;
    if (!/express/i.test(server.edition)) return [{ subject, severity: null, evidence: { edition: server.edition } }];
    const major = Number.parseInt(server.version, 10);
    const cap = [...config.capsByMajorVersion]
      .sort((a, b) => b.fromMajor - a.fromMajor)
      .find((c) => major >= c.fromMajor)!;
    const ratio = beat.data.sizeBytes / cap.capBytes;
    const evidence = {
      sizeBytes: beat.data.sizeBytes,
      capBytes: cap.capBytes,
      percent: Math.round(ratio * 1000) / 10,
      version: server.version,
    };
    const severity = ratio >= config.criticalRatio ? 'critical' : ratio >= config.warnRatio ? 'warning' : null;
    return [{ subject, severity, evidence }];
  },
});
