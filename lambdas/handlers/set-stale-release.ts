/** PATCH /v1/accounts/{accountId}/stale-release: the account's opt-in to the automatic release of stale installations. */
import { autoReleaseSettingSchema, setStaleRelease } from '../core/licensing/stale-release';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps, staleReleaseStore } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams, body: autoReleaseSettingSchema }, async (request) => ({
  status: 200,
  body: await setStaleRelease(
    licensingDeps(),
    staleReleaseStore(),
    principalOf(request),
    request.params.accountId,
    request.body,
  ),
}));
