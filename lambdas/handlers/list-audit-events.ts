/** GET /v1/accounts/{accountId}/audit: the account's audit trail, newest first; CSV with `?format=csv` or `Accept: text/csv`. */
import { auditCsv, auditQuerySchema, listAuditEvents, wantsCsv } from '../core/licensing/list-audit-events';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { accountPeople, auditLogReader, licensingDeps } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams }, async (request) => {
  const query = parseWith(auditQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  const { accountId } = request.params;
  const page = await listAuditEvents(
    { repo: licensingDeps().repo, auditLog: auditLogReader(), people: accountPeople() },
    principalOf(request),
    accountId,
    query,
  );
  if (!wantsCsv(query, request.header('accept'))) return { status: 200, body: page };
  return {
    status: 200,
    text: auditCsv(page.events),
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="audit-${accountId}.csv"`,
      ...(page.nextCursor ? { 'x-next-cursor': page.nextCursor } : {}),
    },
  };
});
