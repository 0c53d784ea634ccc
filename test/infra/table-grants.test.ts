/**
 * Least privilege on the licensing table (docs/security.md, "Licensing table grants"): each writer
 * with `tableItems` may read and write only the partitions it names, held by `dynamodb:LeadingKeys`,
 * as the synthesized policies say; the rest are listed in `wholeTableWriters` with their reason.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { regionKeys } from '#lib/config';
import { tableItemReadActions, tableItemWriteActions } from '#lib/constructs/house-function';
import { functionSpecs, wholeTableWriters, type FunctionName, type FunctionSpec } from '#lib/routes';
import { leadingKeyPattern } from '#lambdas/shared/licensing-table-keys';
import { buildTestApp } from './test-app';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
type CfnJson = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: CfnJson };

const { stacks } = buildTestApp();
const writers = (Object.entries(functionSpecs) as [FunctionName, FunctionSpec][]).filter(([, spec]) =>
  spec.needs.includes('table:write'),
);
const scoped = writers.filter(([, spec]) => spec.tableItems);

/** What the poll and the deactivations may write, spelled out: the review's finding, pinned. */
const expected: Partial<Record<FunctionName, { reads: string[]; writes: string[] }>> = {
  getLicense: { reads: ['ACC#*', 'INST#*'], writes: ['INST#*'] },
  // with the account view's marker: a deactivation changes the account's terms (docs/licensing.md)
  deactivate: {
    reads: ['ACC#*', 'ACCTVIEW_PENDING', 'AUDIT#*', 'INST#*'],
    writes: ['ACC#*', 'ACCTVIEW_PENDING', 'AUDIT#*', 'INST#*'],
  },
  deactivateAccountInstallation: {
    reads: ['ACC#*', 'ACCTVIEW_PENDING', 'AUDIT#*', 'INST#*'],
    writes: ['ACC#*', 'ACCTVIEW_PENDING', 'AUDIT#*', 'INST#*'],
  },
  activate: {
    reads: ['ACC#*', 'AKEY#*', 'AUDIT#*', 'INST#*', 'THUMB#*'],
    writes: ['ACC#*', 'AKEY#*', 'AUDIT#*', 'INST#*', 'THUMB#*'],
  },
  // its list and revocation (issue 19.4): the key listings in the account's partition, the people who created keys named
  createActivationKey: {
    reads: ['ACC#*', 'AKEY#*', 'AUDIT#*', 'INST#*', 'USERS#*'],
    writes: ['ACC#*', 'AKEY#*', 'AUDIT#*'],
  },
  setPresence: { reads: ['ACC#*', 'AUDIT#*', 'INST#*'], writes: ['AUDIT#*'] },
};

describe.each(regionKeys)('the %s licensing table grants', (key) => {
  const stack = stacks[key].stateless;
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const statementsOf = (name: FunctionName): Statement[] => {
    const fn = resources[stack.getLogicalId(stack.functions[name].function.node.defaultChild as CfnFunction)]!;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  };
  const actionsOf = (s: Statement) => [s.Action].flat();
  const resourcesOf = (s: Statement) => [s.Resource].flat().map((r) => JSON.stringify(r));
  const onTable = (s: Statement) => resourcesOf(s).some((r) => r.includes('icensing') && !r.includes('/index/'));
  const onIndex = (s: Statement) => resourcesOf(s).some((r) => r.includes('icensing') && r.includes('/index/'));
  /** The partitions an action may reach on the table: '*' where a statement has no LeadingKeys condition. */
  const partitionsFor = (name: FunctionName, action: string) =>
    [
      ...new Set(
        statementsOf(name)
          .filter((s) => onTable(s) && actionsOf(s).includes(action))
          .flatMap((s) => {
            const keys = s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
            return keys === undefined ? ['*'] : [keys as string | string[]].flat();
          }),
      ),
    ].sort();

  it('names every licensing writer either scoped or a whole-table writer with its reason', () => {
    const unaccounted = writers.filter(([name, spec]) => !spec.tableItems && !wholeTableWriters[name]);

    expect(unaccounted.map(([name]) => name)).toEqual([]);
    expect(scoped.filter(([name]) => wholeTableWriters[name]).map(([name]) => name)).toEqual([]);
  });

  it.each(scoped)('%s reads and writes only its partitions', (name, spec) => {
    // Arrange
    const items = spec.tableItems!;
    const writes = [...new Set(items.writes.map(leadingKeyPattern))].sort();
    const reads = [...new Set([...items.reads, ...items.writes].map(leadingKeyPattern))].sort();
    const tableStatements = statementsOf(name).filter(onTable);

    // Assert: each item action held to its partitions, every such statement requiring the key
    for (const action of tableItemWriteActions) expect([action, partitionsFor(name, action)]).toEqual([action, writes]);
    for (const action of tableItemReadActions) expect([action, partitionsFor(name, action)]).toEqual([action, reads]);
    for (const s of tableStatements.filter((t) => t.Condition))
      expect(s.Condition?.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
    const unconditioned = tableStatements.filter((s) => !s.Condition).flatMap(actionsOf);
    expect(unconditioned).toEqual(items.scan ? ['dynamodb:Scan'] : []);
    const indexActions = statementsOf(name).filter(onIndex).flatMap(actionsOf);
    expect(indexActions).toEqual(items.indexes?.length ? ['dynamodb:Query'] : []);
    const dynamoActions = statementsOf(name)
      .filter((s) => onTable(s) || onIndex(s))
      .flatMap(actionsOf)
      .filter((a) => !(tableItemReadActions as readonly string[]).includes(a))
      .filter((a) => !(tableItemWriteActions as readonly string[]).includes(a));
    expect(dynamoActions.filter((a) => a !== 'dynamodb:Scan' && a !== 'dynamodb:Query')).toEqual([]);
  });

  it.each(Object.entries(expected) as [FunctionName, { reads: string[]; writes: string[] }][])(
    '%s has exactly the partitions the review expects',
    (name, { reads, writes }) => {
      expect(partitionsFor(name, 'dynamodb:PutItem')).toEqual(writes);
      expect(partitionsFor(name, 'dynamodb:UpdateItem')).toEqual(writes);
      expect(partitionsFor(name, 'dynamodb:GetItem')).toEqual(reads);
      expect(partitionsFor(name, 'dynamodb:Query')).toEqual(reads);
      expect(partitionsFor(name, 'dynamodb:Scan')).toEqual([]);
    },
  );
});
