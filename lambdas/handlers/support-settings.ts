/**
 * One function (lib/routes.ts `supportSettings`) for support's fleet overview and per-account rule
 * settings and the back office's advisory tables, chosen by API Gateway's `routeKey`: seven routes
 * for the cost of one function in the stateless stack.
 */
import * as z from 'zod/mini';
import { deleteAdvisoryTable, listAdvisoryTables, putAdvisoryTable } from '../core/support/advisory-tables';
import { fleetOverview } from '../core/support/fleet-overview';
import {
  deleteRuleSetting,
  getRuleSettings,
  putRuleSetting,
  ruleSettingsBodySchema,
} from '../core/support/rule-settings';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { dispatchByRouteKey, type RouteHandler } from '../shared/route-dispatch';
import { supportSettingsDeps } from '../shared/support-settings-deps';

const ruleId = z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'not a rule id'));
const accountRuleParams = z.extend(accountParams, { ruleId });
const advisoryParams = z.object({ ruleId });

const getOverview = httpRoute({}, async (request) => ({
  status: 200,
  body: await fleetOverview(supportSettingsDeps(), principalOf(request)),
}));

const getSettings = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await getRuleSettings(supportSettingsDeps(), principalOf(request), request.params.accountId),
}));

const putSetting = httpRoute({ params: accountRuleParams, body: ruleSettingsBodySchema }, async (request) => ({
  status: 200,
  body: await putRuleSetting(
    supportSettingsDeps(),
    principalOf(request),
    request.params.accountId,
    request.params.ruleId,
    request.body,
  ),
}));

const deleteSetting = httpRoute({ params: accountRuleParams }, async (request) => {
  await deleteRuleSetting(supportSettingsDeps(), principalOf(request), request.params.accountId, request.params.ruleId);
  return { status: 204 };
});

const getAdvisories = httpRoute({}, async (request) => ({
  status: 200,
  body: await listAdvisoryTables(supportSettingsDeps(), principalOf(request)),
}));

const putAdvisory = httpRoute({ params: advisoryParams, body: z.unknown() }, async (request) => ({
  status: 200,
  body: await putAdvisoryTable(supportSettingsDeps(), principalOf(request), request.params.ruleId, request.body),
}));

const deleteAdvisory = httpRoute({ params: advisoryParams }, async (request) => {
  await deleteAdvisoryTable(supportSettingsDeps(), principalOf(request), request.params.ruleId);
  return { status: 204 };
});

export const byRouteKey: Readonly<Record<string, RouteHandler>> = {
  'GET /v1/support/overview': getOverview as RouteHandler,
  'GET /v1/support/accounts/{accountId}/rule-settings': getSettings as RouteHandler,
  'PUT /v1/support/accounts/{accountId}/rule-settings/{ruleId}': putSetting as RouteHandler,
  'DELETE /v1/support/accounts/{accountId}/rule-settings/{ruleId}': deleteSetting as RouteHandler,
  'GET /v1/ops/advisories': getAdvisories as RouteHandler,
  'PUT /v1/ops/advisories/{ruleId}': putAdvisory as RouteHandler,
  'DELETE /v1/ops/advisories/{ruleId}': deleteAdvisory as RouteHandler,
};

export const handler = dispatchByRouteKey('support-settings', byRouteKey);
