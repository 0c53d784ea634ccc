/** GET /v1/openapi.json: the API described from the route table and the handlers' own zod schemas, this region first. */
import { env } from '../shared/env';
import { httpRoute } from '../shared/http';
import { openApiDocument } from '../shared/openapi';

// Built once per container, at init (tens of ms): its servers are this deployment's (locally the local cloud's).
const document = openApiDocument({ endpoints: env().REGION_ENDPOINTS, first: env().REGION_KEY });

export const handler = httpRoute({}, async () => ({
  status: 200,
  headers: { 'cache-control': 'public, max-age=300' },
  body: document,
}));
