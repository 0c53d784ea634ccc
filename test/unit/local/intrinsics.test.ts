import { IntrinsicError, resolveValue, type ResolveContext, type StackContext } from '#local/intrinsics';

const stateful: StackContext = {
  stackName: 'ucx-prod-eu-stateful',
  region: 'eu-central-1',
  account: '111111111111',
  template: {
    Resources: { Table: { Type: 'AWS::DynamoDB::GlobalTable' }, Key: { Type: 'AWS::KMS::Key' } },
    Outputs: { TableOut: { Value: { Ref: 'Table' }, Export: { Name: 'ucx-eu-table' } } },
  },
};
const stateless: StackContext = {
  stackName: 'ucx-prod-eu-stateless',
  region: 'eu-central-1',
  account: '111111111111',
  template: { Resources: { Api: { Type: 'AWS::ApiGatewayV2::Api' } } },
};
const usStateful: StackContext = {
  ...stateful,
  stackName: 'ucx-prod-us-stateful',
  region: 'us-east-1',
  template: { Outputs: { TableOut: { Value: 'us-table', Export: { Name: 'ucx-eu-table' } } } },
};

const ctx = (stack: StackContext): ResolveContext => ({
  stack,
  stacks: [usStateful, stateful, stateless],
  physicalName: (s, id) => `${s.stackName}-${id}`,
  attribute: (s, id, attr) => `${s.stackName}-${id}.${attr}`,
});

describe('resolveValue', () => {
  it('resolves literals, Ref, pseudo parameters, GetAtt and Join', () => {
    expect(resolveValue(42, ctx(stateful), 'x')).toBe('42');
    expect(resolveValue({ Ref: 'Table' }, ctx(stateful), 'x')).toBe('ucx-prod-eu-stateful-Table');
    expect(resolveValue({ 'Fn::GetAtt': ['Key', 'Arn'] }, ctx(stateful), 'x')).toBe('ucx-prod-eu-stateful-Key.Arn');
    expect(
      resolveValue(
        { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }]] },
        ctx(stateful),
        'x',
      ),
    ).toBe('arn:aws:eu-central-1:111111111111');
  });

  it('finds an ImportValue in the export of a stack of the same region only', () => {
    expect(resolveValue({ 'Fn::ImportValue': 'ucx-eu-table' }, ctx(stateless), 'x')).toBe('ucx-prod-eu-stateful-Table');
  });

  it('throws naming the location on anything unknown', () => {
    expect(() => resolveValue({ 'Fn::Sub': 'x' }, ctx(stateless), 'S/F/Environment/A')).toThrow(
      new IntrinsicError(
        'S/F/Environment/A: unsupported intrinsic Fn::Sub (local/intrinsics.ts resolves Ref, Fn::GetAtt, Fn::ImportValue, Fn::Join)',
      ),
    );
    expect(() => resolveValue({ Ref: 'Nope' }, ctx(stateless), 'w')).toThrow(
      'w: Ref to unknown resource Nope in ucx-prod-eu-stateless',
    );
    expect(() => resolveValue({ 'Fn::ImportValue': 'missing' }, ctx(stateless), 'w')).toThrow(
      'w: no stack in eu-central-1 exports missing',
    );
  });
});
