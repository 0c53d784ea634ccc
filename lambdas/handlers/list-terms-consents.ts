/** GET /v1/ops/terms/{version}/consents: every account's standing on a version, paged; CSV with `?format=csv`. */
import { consentsCsv, versionConsents } from '../core/accounts/terms';
import { termsConsentsQuerySchema } from '../core/accounts/terms-model';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { termsVersionParams } from '../shared/params';
import { termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({ params: termsVersionParams }, async (request) => {
  const query = parseWith(termsConsentsQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  const { version } = request.params;
  const csv = query.format === 'csv';
  const page = await versionConsents(termsDeps(), principalOf(request), version, {
    limit: query.limit ?? (csv ? 1000 : 100),
    ...(query.cursor && { cursor: query.cursor }),
    ...(query.status && { status: query.status }),
  });
  if (!csv) return { status: 200, body: page };
  return {
    status: 200,
    text: consentsCsv(page.consents),
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="terms-v${version}-consents.csv"`,
      ...(page.nextCursor ? { 'x-next-cursor': page.nextCursor } : {}),
    },
  };
});
