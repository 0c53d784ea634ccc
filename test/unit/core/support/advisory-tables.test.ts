/** The back office's advisory tables: validated, audited under the vendor's log, idempotent, back office alone. */
import { ForbiddenError, NotFoundError, ValidationError } from '#lambdas/core/errors';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import type { AdvisoryRuleId, AdvisoryStore, AdvisoryTable } from '#lambdas/core/rules/advisories';
import { deleteAdvisoryTable, listAdvisoryTables, putAdvisoryTable } from '#lambdas/core/support/advisory-tables';
import { FixedClock, principals, SequentialIds } from '#test/support/licensing-fixtures';

class MemoryAdvisories implements AdvisoryStore {
  readonly tables = new Map<string, AdvisoryTable>();
  readonly audit: AuditEvent[] = [];
  async list() {
    return [...this.tables.values()];
  }
  async put(table: AdvisoryTable, audit: AuditEvent) {
    this.tables.set(table.ruleId, table);
    this.audit.push(audit);
  }
  async remove(ruleId: AdvisoryRuleId, audit: AuditEvent) {
    if (!this.tables.delete(ruleId)) return false;
    this.audit.push(audit);
    return true;
  }
}

const matrix = { matrix: [{ suite: '2025', cucm: ['14', '15'] }] };

describe('advisory tables', () => {
  it('lists none maintained, then the table set, audited once however often it is set', async () => {
    const advisories = new MemoryAdvisories();
    const deps = { advisories, clock: new FixedClock(), ids: new SequentialIds() };

    const empty = await listAdvisoryTables(deps, principals.support);
    await putAdvisoryTable(deps, principals.backoffice, 'cucm-compat', matrix);
    await putAdvisoryTable(deps, principals.backoffice, 'cucm-compat', matrix);
    const listed = await listAdvisoryTables(deps, principals.backoffice);
    await deleteAdvisoryTable(deps, principals.backoffice, 'cucm-compat');
    await deleteAdvisoryTable(deps, principals.backoffice, 'cucm-compat');

    expect(empty.advisories.map((a) => a.table)).toEqual([null, null]);
    expect(listed.advisories.find((a) => a.ruleId === 'cucm-compat')?.table).toEqual(matrix);
    expect(advisories.audit.map((e) => `${e.accountId}:${e.action}`)).toEqual([
      'ops:advisory.set',
      'ops:advisory.removed',
    ]);
  });

  it('refuses a bad table with the path inside it, an unknown rule, and anyone but the back office', async () => {
    const deps = { advisories: new MemoryAdvisories(), clock: new FixedClock(), ids: new SequentialIds() };

    const bad = await putAdvisoryTable(deps, principals.backoffice, 'suite-outdated', {
      knownIssues: [{ versions: [], severity: 'loud', issue: 'x' }],
    }).catch((e: unknown) => e);

    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).errors.map((e) => e.path).sort()).toEqual([
      'knownIssues.0.severity',
      'knownIssues.0.versions',
    ]);
    await expect(putAdvisoryTable(deps, principals.backoffice, 'dns-single', {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(putAdvisoryTable(deps, principals.support, 'cucm-compat', matrix)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});
