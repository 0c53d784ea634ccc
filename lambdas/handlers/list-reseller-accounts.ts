/** GET /v1/resellers/{resellerId}/accounts: the reseller's customers (the reseller itself, back office). */
import { DynamoDbResellerAccounts } from '../adapters/dynamodb-reseller-accounts';
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { listResellerAccounts, resellerParamsSchema } from '../core/licensing/list-reseller-accounts';
import { required } from '../shared/env';
import { httpRoute, principalOf } from '../shared/http';

let reader: DynamoDbResellerAccounts | undefined;

export const handler = httpRoute({ params: resellerParamsSchema }, async (request) => {
  reader ??= new DynamoDbResellerAccounts(dynamoDocumentClient(), required('TABLE_NAME'));
  return { status: 200, body: await listResellerAccounts(reader, principalOf(request), request.params.resellerId) };
});
