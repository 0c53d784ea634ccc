/** GET /v1/telemetry/catalogue: the beat catalogue as JSON Schema, for agent vendors. */
import { catalogueJsonSchema } from '../core/telemetry/catalogue-documents';
import { httpRoute } from '../shared/http';

const document = catalogueJsonSchema();

export const handler = httpRoute({}, async () => ({
  status: 200,
  headers: { 'cache-control': 'public, max-age=3600' },
  body: document,
}));
