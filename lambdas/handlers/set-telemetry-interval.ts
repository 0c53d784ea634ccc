/** PUT /v1/support/installations/{installationId}/telemetry-interval: support shortens one installation's cycle for a day. */
import { setTelemetryInterval, telemetryIntervalBodySchema } from '../core/licensing/set-telemetry-interval';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { supportInstallationParams } from '../shared/params';

export const handler = httpRoute(
  { params: supportInstallationParams, body: telemetryIntervalBodySchema },
  async (request) => ({
    status: 200,
    body: await setTelemetryInterval(
      licensingDeps(),
      principalOf(request),
      request.params.installationId,
      request.body,
    ),
  }),
);
