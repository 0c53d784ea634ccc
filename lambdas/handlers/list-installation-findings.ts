/** GET /v1/installations/{id}/findings?status=open|resolved|all: findings with evidence and history. */
import { findingsQuerySchema } from '../core/support/findings-view';
import { listInstallationFindings } from '../core/support/list-installation-findings';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { installationParams } from '../shared/params';
import { supportDeps } from '../shared/support-deps';

export const handler = httpRoute({ params: installationParams }, async (request) => {
  const query = parseWith(findingsQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  return {
    status: 200,
    body: await listInstallationFindings(supportDeps(), principalOf(request), request.params.id, query),
  };
});
