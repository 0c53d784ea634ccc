/** GET /v1/accounts/{accountId}/audit: the account's audit trail, newest first; CSV with `?format=csv` or `Accept: text/csv`. */
import { DynamoDbAuditLog } from '../adapters/dynamodb-audit-log';
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { auditCsv, auditQuerySchema, listAuditEvents, wantsCsv } from '../core/licensing/list-audit-events';
import { required } from '../shared/env';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

let auditLog: DynamoDbAuditLog | undefined;

export const handler = httpRoute({ params: accountParams }, async (request) => {
  const query = parseWith(auditQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  auditLog ??= new DynamoDbAuditLog(dynamoDocumentClient(), required('TABLE_NAME'));
  const { accountId } = request.params;
  const page = await listAuditEvents({ repo: licensingDeps().repo, auditLog }, principalOf(request), accountId, query);
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
