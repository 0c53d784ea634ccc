/** PATCH /v1/accounts/{accountId}/telemetry: the account's telemetry switch. */
import { setTelemetry, telemetrySwitchBodySchema } from '../core/licensing/set-telemetry';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams, body: telemetrySwitchBodySchema }, async (request) => ({
  status: 200,
  body: await setTelemetry(licensingDeps(), principalOf(request), request.params.accountId, request.body),
}));
