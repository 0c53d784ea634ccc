/**
 * The back office's advisory tables (lambdas/core/rules/advisories.ts): listed for back office and
 * support, set and removed by the back office alone, each change audited under the vendor's own
 * audit log (`AUDIT#ops`), the same table again writing nothing.
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { opsAuditAccount } from '../accounts/machine-clients';
import { canonicalJson } from '../canonical-json';
import { NotFoundError, ValidationError } from '../errors';
import { assertRole, type Principal } from '../licensing/access';
import type { AuditEvent } from '../licensing/model';
import type { Clock, IdGenerator } from '../ports';
import {
  advisoryRuleIds,
  advisorySchemas,
  isAdvisoryRuleId,
  type AdvisoryRuleId,
  type AdvisoryStore,
  type AdvisoryTable,
} from '../rules/advisories';

export interface AdvisoryDeps {
  readonly advisories: AdvisoryStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export const advisoryViewSchema = withMeta(
  z.object({
    ruleId: z.enum(advisoryRuleIds as [AdvisoryRuleId, ...AdvisoryRuleId[]]),
    table: withMeta(z.nullable(z.record(z.string(), z.unknown())), {
      description: 'null: none maintained, the rule says nothing',
    }),
    updatedAt: z.nullable(z.string()),
    updatedBy: z.nullable(z.string()),
  }),
  { id: 'AdvisoryTable' },
);
export type AdvisoryView = z.infer<typeof advisoryViewSchema>;
export const advisoriesViewSchema = withMeta(z.object({ advisories: z.array(advisoryViewSchema) }), {
  id: 'AdvisoryTables',
  description: 'Every advisory table, maintained or not.',
});

const viewOf = (ruleId: AdvisoryRuleId, stored: AdvisoryTable | undefined): AdvisoryView => ({
  ruleId,
  table: stored?.table ?? null,
  updatedAt: stored?.updatedAt ?? null,
  updatedBy: stored?.updatedBy ?? null,
});

function advisoryRule(ruleId: string): AdvisoryRuleId {
  if (!isAdvisoryRuleId(ruleId)) throw new NotFoundError(`There is no advisory table for rule ${ruleId}.`);
  return ruleId;
}

/** The table as its schema reads it (defaults filled), or 400 with each failing path inside the body. */
export function validAdvisoryTable(ruleId: AdvisoryRuleId, body: unknown): Record<string, unknown> {
  const parsed = advisorySchemas[ruleId].safeParse(body);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.flatMap((issue) =>
        (issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path]).map((path) => ({
          path: path.join('.'),
          message: issue.message,
        })),
      ),
    );
  }
  return parsed.data as Record<string, unknown>;
}

const auditOf = (
  deps: AdvisoryDeps,
  principal: Principal,
  at: string,
  action: string,
  details: object,
): AuditEvent => ({
  accountId: opsAuditAccount,
  at,
  eventId: deps.ids.id('evt_'),
  actor: { kind: principal.role as AuditEvent['actor']['kind'], id: principal.sub },
  action,
  details: { ...details },
});

export async function listAdvisoryTables(
  deps: AdvisoryDeps,
  principal: Principal,
): Promise<z.infer<typeof advisoriesViewSchema>> {
  assertRole(principal, 'backoffice', 'support');
  const stored = new Map((await deps.advisories.list()).map((t) => [t.ruleId, t]));
  return { advisories: advisoryRuleIds.map((ruleId) => viewOf(ruleId, stored.get(ruleId))) };
}

export async function putAdvisoryTable(
  deps: AdvisoryDeps,
  principal: Principal,
  ruleIdParam: string,
  body: unknown,
): Promise<AdvisoryView> {
  assertRole(principal, 'backoffice');
  const ruleId = advisoryRule(ruleIdParam);
  const table = validAdvisoryTable(ruleId, body);
  const current = (await deps.advisories.list()).find((t) => t.ruleId === ruleId);
  if (current && canonicalJson(current.table) === canonicalJson(table)) return viewOf(ruleId, current);
  const at = deps.clock.now().toISOString();
  const stored: AdvisoryTable = { ruleId, table, updatedAt: at, updatedBy: principal.sub };
  await deps.advisories.put(stored, auditOf(deps, principal, at, 'advisory.set', { ruleId, table }));
  return viewOf(ruleId, stored);
}

/** `DELETE`: no table maintained, the rule says nothing; none there writes nothing. */
export async function deleteAdvisoryTable(
  deps: AdvisoryDeps,
  principal: Principal,
  ruleIdParam: string,
): Promise<void> {
  assertRole(principal, 'backoffice');
  const ruleId = advisoryRule(ruleIdParam);
  const at = deps.clock.now().toISOString();
  await deps.advisories.remove(ruleId, auditOf(deps, principal, at, 'advisory.removed', { ruleId }));
}
