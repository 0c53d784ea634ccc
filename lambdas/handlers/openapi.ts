/** GET /v1/openapi.json: the API described from the handlers' own zod schemas. */
import { httpRoute } from '../shared/http';
import { openApiDocument } from '../shared/openapi';

const document = openApiDocument();

export const handler = httpRoute({}, async () => ({
  status: 200,
  headers: { 'cache-control': 'public, max-age=300' },
  body: document,
}));
