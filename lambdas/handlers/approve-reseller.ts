/** POST /v1/ops/resellers/{resellerId}/approval (back office): approves the application and links its applicant. */
import { approveReseller, resellerApprovalParamsSchema } from '../core/accounts/resellers';
import { accountsDeps } from '../shared/accounts-deps';
import { httpRoute, principalOf } from '../shared/http';

export const handler = httpRoute({ params: resellerApprovalParamsSchema }, async (request) => ({
  status: 200,
  body: await approveReseller(accountsDeps(), principalOf(request), request.params.resellerId),
}));
