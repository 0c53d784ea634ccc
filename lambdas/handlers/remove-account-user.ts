/** DELETE /v1/accounts/{accountId}/users/{userId} (customer of the account, its reseller, back office): removes a user. */
import { accountUserParamsSchema, removeAccountUser } from '../core/accounts/users';
import { required } from '../shared/env';
import { httpRoute, principalOf } from '../shared/http';
import { auditWriter, licensingDeps } from '../shared/licensing-deps';
import { userDirectory } from '../shared/user-directory';

export const handler = httpRoute({ params: accountUserParamsSchema }, async (request) => {
  const { repo, clock, ids } = licensingDeps();
  const deps = {
    repo,
    directory: userDirectory(required('USER_DIRECTORY')),
    audit: { writer: auditWriter(), clock, ids },
  };
  await removeAccountUser(deps, principalOf(request), request.params.accountId, request.params.userId);
  return { status: 204 };
});
