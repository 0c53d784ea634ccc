/** POST /v1/accounts/{accountId}/users (customer of the account, its reseller, back office): invites a colleague. */
import { accountUsersParamsSchema, inviteAccountUser, inviteBodySchema } from '../core/accounts/users';
import { required } from '../shared/env';
import { httpRoute, principalOf } from '../shared/http';
import { auditWriter, licensingDeps } from '../shared/licensing-deps';
import { userDirectory } from '../shared/user-directory';

export const handler = httpRoute(
  { params: accountUsersParamsSchema, body: inviteBodySchema, maxBodyBytes: 4 * 1024 },
  async (request) => {
    const { repo, clock, ids } = licensingDeps();
    const deps = {
      repo,
      directory: userDirectory(required('USER_DIRECTORY')),
      audit: { writer: auditWriter(), clock, ids },
    };
    return {
      status: 201,
      body: await inviteAccountUser(deps, principalOf(request), request.params.accountId, request.body),
    };
  },
);
