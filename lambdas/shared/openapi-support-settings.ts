/** The OpenAPI operations of support's fleet overview and rule settings and the back office's advisory tables, spread into openapi.ts's table. */
import * as z from 'zod/mini';
import { withMeta } from '../core/schema-meta';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { advisoriesViewSchema, advisoryViewSchema } from '../core/support/advisory-tables';
import { fleetOverviewSchema } from '../core/support/responses';
import { ruleSettingsBodySchema, ruleSettingsViewSchema, ruleSettingViewSchema } from '../core/support/rule-settings';
import { accountParams } from './params';

const json = (schema: z.ZodMiniType, description: string): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});
const ruleId = withMeta(z.string(), { description: 'a rule id of the catalogue, e.g. `db-express-cap`' });
const accountRuleParams = z.extend(accountParams, { ruleId });

export const supportSettingsOperations = {
  getFleetOverview: {
    tag: 'Support',
    summary: 'The fleet at a glance (support, back office)',
    description:
      'Open findings by severity and by rule at the end of each of the last 30 days (UTC), the rules opened and resolved most often in 7 days, and how many installations sent no beat for 24 hours (`atLeast`: more than were counted).',
    responses: { '200': json(fleetOverviewSchema, 'The overview now') },
    errors: {},
  },
  getRuleSettings: {
    tag: 'Support',
    summary: 'An account’s rule settings beside the defaults (support, back office)',
    description: 'Every rule of the catalogue: its defaults, the fields this account sets, and what runs.',
    params: accountParams,
    responses: { '200': json(ruleSettingsViewSchema, 'Every rule') },
    errors: { 404: 'Unknown account' },
  },
  putRuleSetting: {
    tag: 'Support',
    summary: 'Set an account’s values for one rule (support)',
    description:
      'The body is the rule’s config fields to set, validated by the rule’s own schema (an unknown field is refused); it replaces what was set. The next rules evaluation of the account’s installations uses it. The same values again write nothing. Audited (`rule-settings.set`).',
    params: accountRuleParams,
    body: withMeta(ruleSettingsBodySchema, { id: 'RuleSettingsRequest' }),
    responses: { '200': json(ruleSettingViewSchema, 'The rule’s settings now') },
    errors: {
      404: 'Unknown account or rule',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  deleteRuleSetting: {
    tag: 'Support',
    summary: 'Back to the rule’s defaults for an account (support)',
    description: 'Nothing set: 204 all the same. Audited (`rule-settings.removed`).',
    params: accountRuleParams,
    responses: { '204': { description: 'The defaults apply' } },
    errors: {
      404: 'Unknown account or rule',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  listAdvisoryTables: {
    tag: 'Support',
    summary: 'The advisory tables the rules judge against (back office, support)',
    description:
      '`cucm-compat`’s certified CUCM versions per suite version, `suite-outdated`’s known issues and oldest supported version. A table not maintained is null: its rule says nothing.',
    responses: { '200': json(advisoriesViewSchema, 'Every advisory table') },
    errors: {},
  },
  putAdvisoryTable: {
    tag: 'Support',
    summary: 'Maintain an advisory table (back office)',
    description:
      'Replaces the table; read by the rules from their next evaluation on, in every region. The same table again writes nothing. Audited in the vendor’s log (`advisory.set`).',
    params: z.object({ ruleId }),
    body: withMeta(z.record(z.string(), z.unknown()), { id: 'AdvisoryTableRequest' }),
    responses: { '200': json(advisoryViewSchema, 'The table now') },
    errors: { 404: 'No advisory table for this rule' },
  },
  deleteAdvisoryTable: {
    tag: 'Support',
    summary: 'Stop maintaining an advisory table (back office)',
    description: 'Its rule says nothing from then on. None there: 204 all the same. Audited (`advisory.removed`).',
    params: z.object({ ruleId }),
    responses: { '204': { description: 'No table' } },
    errors: { 404: 'No advisory table for this rule' },
  },
} as const;
