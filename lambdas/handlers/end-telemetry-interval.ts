/** DELETE /v1/support/installations/{installationId}/telemetry-interval: back to the Care level's cycle now. */
import { endTelemetryInterval } from '../core/licensing/set-telemetry-interval';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { supportInstallationParams } from '../shared/params';

export const handler = httpRoute({ params: supportInstallationParams }, async (request) => {
  await endTelemetryInterval(licensingDeps(), principalOf(request), request.params.installationId);
  return { status: 204 };
});
