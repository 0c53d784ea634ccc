/**
 * Support's per-account rule settings (docs/proactive-support.md "Rule settings"): an account's
 * values for a rule's thresholds, validated by the rule's own config schema, stored in the
 * account's home region (its telemetry is evaluated there), audited, and laid over the rule's
 * defaults by the rules Lambda. Only the fields support set are stored: a default changed later
 * still reaches the fields the account left alone.
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { canonicalJson } from '../canonical-json';
import { NotFoundError, ValidationError } from '../errors';
import { assertRole, type Principal } from '../licensing/access';
import { assertHomeRegion, type ServingRegion } from '../licensing/home-region';
import type { AuditEvent } from '../licensing/model';
import type { LicensingRepository } from '../licensing/repository';
import type { Clock, IdGenerator } from '../ports';
import type { AuditWriter } from '../presence/deps';
import type { RuleSettingsSource } from '../rules/config-sources';
import type { Rule } from '../rules/rule';

/** One rule's settings of one account as stored. */
export interface StoredRuleSetting {
  readonly ruleId: string;
  readonly settings: Record<string, unknown>;
  readonly updatedAt: string;
  /** support's opaque subject id */
  readonly updatedBy: string;
}

export interface RuleSettingsStore extends RuleSettingsSource {
  list(accountId: string): Promise<StoredRuleSetting[]>;
  put(accountId: string, setting: StoredRuleSetting): Promise<void>;
  /** false when there was none */
  remove(accountId: string, ruleId: string): Promise<boolean>;
}

export interface RuleSettingsDeps {
  readonly settings: RuleSettingsStore;
  readonly accounts: Pick<LicensingRepository, 'getAccountState'>;
  readonly audit: AuditWriter;
  readonly rules: readonly Rule[];
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly here: ServingRegion;
}

/** The body of a PUT: the rule's config fields to set (its schema decides what is valid). */
export const ruleSettingsBodySchema = z.record(z.string(), z.unknown());

export const ruleSettingViewSchema = withMeta(
  z.object({
    ruleId: z.string(),
    description: z.string(),
    defaults: withMeta(z.record(z.string(), z.unknown()), { description: 'the rule’s config with nothing set' }),
    settings: withMeta(z.nullable(z.record(z.string(), z.unknown())), {
      description: 'the fields this account sets; null: the defaults apply',
    }),
    effective: withMeta(z.record(z.string(), z.unknown()), { description: 'what the rule runs with for this account' }),
    updatedAt: z.nullable(z.string()),
    updatedBy: z.nullable(z.string()),
  }),
  { id: 'RuleSetting' },
);
export type RuleSettingView = z.infer<typeof ruleSettingViewSchema>;

export const ruleSettingsViewSchema = withMeta(
  z.object({ accountId: z.string(), rules: z.array(ruleSettingViewSchema) }),
  { id: 'RuleSettings', description: 'An account’s settings of every rule, beside the defaults.' },
);

const asRecord = (value: unknown) => value as Record<string, unknown>;

function viewOf(rule: Rule, stored: StoredRuleSetting | undefined): RuleSettingView {
  return {
    ruleId: rule.id,
    description: rule.description,
    defaults: asRecord(rule.config.parse({})),
    settings: stored?.settings ?? null,
    effective: asRecord(rule.config.parse(stored?.settings ?? {})),
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
  };
}

async function existingAccount(deps: RuleSettingsDeps, accountId: string) {
  const state = await deps.accounts.getAccountState(accountId);
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  return state.account;
}

function ruleOf(deps: RuleSettingsDeps, ruleId: string): Rule {
  const rule = deps.rules.find((r) => r.id === ruleId);
  if (!rule) throw new NotFoundError(`There is no rule ${ruleId}.`);
  return rule;
}

/** The rule's schema, refusing fields it does not know (a typo must not pass as "saved"). */
const strictly = (schema: z.ZodMiniType): z.ZodMiniType =>
  schema instanceof z.ZodMiniObject ? z.catchall(schema, z.never()) : schema;

/** Validates `body` as the rule's settings: 400 with each failing path inside the body. */
export function validRuleSettings(rule: Rule, body: Record<string, unknown>): Record<string, unknown> {
  const parsed = strictly(rule.config).safeParse(body);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.flatMap((issue) => {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        return keys.map((path) => ({
          path: path.join('.'),
          message: issue.code === 'unrecognized_keys' ? 'not a setting of this rule' : issue.message,
        }));
      }),
    );
  }
  return body;
}

export async function getRuleSettings(
  deps: RuleSettingsDeps,
  principal: Principal,
  accountId: string,
): Promise<z.infer<typeof ruleSettingsViewSchema>> {
  assertRole(principal, 'support', 'backoffice');
  await existingAccount(deps, accountId);
  const stored = new Map((await deps.settings.list(accountId)).map((s) => [s.ruleId, s]));
  return { accountId, rules: deps.rules.map((rule) => viewOf(rule, stored.get(rule.id))) };
}

const auditOf = (
  deps: RuleSettingsDeps,
  principal: Principal,
  accountId: string,
  at: string,
  action: string,
  details: Record<string, unknown>,
): AuditEvent => ({
  accountId,
  at,
  eventId: deps.ids.id('evt_'),
  actor: { kind: principal.role as AuditEvent['actor']['kind'], id: principal.sub },
  action,
  details,
});

/** `PUT`: the account's settings of one rule, replacing what was set; the same settings again write nothing. */
export async function putRuleSetting(
  deps: RuleSettingsDeps,
  principal: Principal,
  accountId: string,
  ruleId: string,
  body: Record<string, unknown>,
): Promise<RuleSettingView> {
  assertRole(principal, 'support');
  const rule = ruleOf(deps, ruleId);
  const settings = validRuleSettings(rule, body);
  const account = await existingAccount(deps, accountId);
  assertHomeRegion(account.region, deps.here);
  const current = (await deps.settings.list(accountId)).find((s) => s.ruleId === ruleId);
  if (current && canonicalJson(current.settings) === canonicalJson(settings)) return viewOf(rule, current);
  const at = deps.clock.now().toISOString();
  const stored: StoredRuleSetting = { ruleId, settings, updatedAt: at, updatedBy: principal.sub };
  // Two tables, no transaction: the audit first, so a change is never stored unaudited (a retry
  // after a failed put audits again; one after a stored put finds nothing to change).
  await deps.audit.append(auditOf(deps, principal, accountId, at, 'rule-settings.set', { ruleId, settings }));
  await deps.settings.put(accountId, stored);
  return viewOf(rule, stored);
}

/** `DELETE`: back to the defaults; nothing set writes nothing. */
export async function deleteRuleSetting(
  deps: RuleSettingsDeps,
  principal: Principal,
  accountId: string,
  ruleId: string,
): Promise<void> {
  assertRole(principal, 'support');
  ruleOf(deps, ruleId);
  const account = await existingAccount(deps, accountId);
  assertHomeRegion(account.region, deps.here);
  if (!(await deps.settings.list(accountId)).some((s) => s.ruleId === ruleId)) return;
  const at = deps.clock.now().toISOString();
  await deps.audit.append(auditOf(deps, principal, accountId, at, 'rule-settings.removed', { ruleId }));
  await deps.settings.remove(accountId, ruleId);
}
