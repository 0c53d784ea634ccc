/** db-express-cap: a SQL Server Express database nearing the edition's size cap. */
import * as z from 'zod';
import { expressCapBytes, expressCapsSchema, isExpressEdition } from './express-cap';
import { defineRule, STATE_FACT, type Signal } from '../rule';

export const rule = defineRule({
  id: 'db-express-cap',
  description: 'SQL Server Express database nearing its size cap (10 GB up to SQL 2022, 50 GB from SQL 2025)',
  reads: ['ucx.database_server', 'ucx.database'],
  fields: ['ucx.database_server:edition', 'ucx.database_server:version', 'ucx.database:name', 'ucx.database:sizeBytes'],
  config: z.object({
    capsByMajorVersion: expressCapsSchema,
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
    if (!isExpressEdition(server.edition)) return [{ subject, severity: null, evidence: { edition: server.edition } }];
    const capBytes = expressCapBytes(config.capsByMajorVersion, server.version);
    if (capBytes === undefined) return []; // a version no cap entry covers: nothing to judge
    const ratio = beat.data.sizeBytes / capBytes;
    const evidence = {
      sizeBytes: beat.data.sizeBytes,
      capBytes,
      percent: Math.round(ratio * 1000) / 10,
      version: server.version,
    };
    const severity = ratio >= config.criticalRatio ? 'critical' : ratio >= config.warnRatio ? 'warning' : null;
    return [{ subject, severity, evidence }];
  },
});
