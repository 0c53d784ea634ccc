/** GET /v1/installations/{id}/license: the licence poll, 304 when the agent holds the current one. */
import { pollLicense } from '../core/licensing/poll-license';
import { httpRoute } from '../shared/http';
import { installationParams } from '../shared/params';
import { signedBy } from '../shared/agent-signature';
import { licenseSettings } from '../shared/license-settings';
import { pollDeps } from '../shared/poll-deps';

export const handler = httpRoute({ metric: 'licencePolls', params: installationParams }, async (request) => {
  const { id } = request.params;
  const outcome = await pollLicense(
    pollDeps(),
    licenseSettings(),
    id,
    request.header('if-none-match'),
    signedBy(request, id),
  );
  const headers = { etag: outcome.etag, 'cache-control': 'no-cache' };
  if (outcome.status === 304) return { status: 304, headers };
  return { status: 200, headers, body: { license: outcome.license, nextPollSeconds: outcome.nextPollSeconds } };
});
