/** The OpenAPI operation of an installation's history (docs/proactive-support.md "History"), spread into openapi.ts's table. */
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type * as z from 'zod/mini';
import { historyQuerySchema, historySchema } from '../core/history/get-history';
import { installationParams } from './params';

const json = (schema: z.core.$ZodType, description: string): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

export const historyOperations = {
  getInstallationHistory: {
    tag: 'Support',
    summary: 'The installation’s history: its counters over 24 h, 7 d or 90 d',
    description:
      'Who may read the installation’s findings. `range` 24h gives 1-minute points (kept 48 h), 7d 15-minute (kept 30 d), 90d 1-hour (kept 13 months); `series` (repeatable) keeps only those keys, none gives every series. Usage series carry the licensed `capacity`.',
    params: installationParams,
    query: historyQuerySchema,
    responses: { '200': json(historySchema, 'Each series’ points, oldest first') },
    errors: { 404: 'No telemetry from this installation' },
  },
} as const;
