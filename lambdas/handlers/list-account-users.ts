/** GET /v1/accounts/{accountId}/users (the account's customers, its reseller, back office, support): who may sign in for it. */
import { accountUsersParamsSchema, listAccountUsers } from '../core/accounts/users';
import { required } from '../shared/env';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { userDirectory } from '../shared/user-directory';

export const handler = httpRoute({ params: accountUsersParamsSchema }, async (request) => {
  const deps = { repo: licensingDeps().repo, directory: userDirectory(required('USER_DIRECTORY')) };
  return { status: 200, body: await listAccountUsers(deps, principalOf(request), request.params.accountId) };
});
