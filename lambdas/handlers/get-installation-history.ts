/** GET /v1/installations/{id}/history?range=24h|7d|90d[&series=<key>]…: one tier's points of the installation's series. */
import { getInstallationHistory, historyQuerySchema } from '../core/history/get-history';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { historyDeps } from '../shared/history-deps';
import { installationParams } from '../shared/params';

export const handler = httpRoute({ params: installationParams }, async (request) => {
  // `series` repeats: API Gateway joins repeated parameters with commas, so the raw query is read
  const raw = new URLSearchParams(request.event.rawQueryString ?? '');
  const range = raw.get('range');
  const query = parseWith(historyQuerySchema, { ...(range !== null ? { range } : {}), series: raw.getAll('series') }, [
    'query',
  ]);
  return {
    status: 200,
    body: await getInstallationHistory(historyDeps(), principalOf(request), request.params.id, query),
  };
});
