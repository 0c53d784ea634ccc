import {
  describeKinds,
  isHistoryRead,
  isStateRead,
  windowOf,
  writeKindOf,
  type RoundMeasure,
} from '#bench/rules-stored';
import { writeKinds } from '#bench/results-schema';

describe('rules stored row: write units by kind of item', () => {
  it('takes the kind from the sk of the item put or updated (a batch: its first); a transaction is the STATE#APART write', () => {
    expect(writeKindOf('PutCommand', { Item: { pk: 'INST#i', sk: 'STATE' } })).toBe('STATE');
    expect(writeKindOf('PutCommand', { Item: { pk: 'INST#i', sk: 'STATE#APART' } })).toBe('STATE#APART/transaction');
    expect(
      writeKindOf('TransactWriteCommand', {
        TransactItems: [{ Put: { Item: { sk: 'STATE' } } }, { Put: { Item: { sk: 'STATE#APART' } } }],
      }),
    ).toBe('STATE#APART/transaction');
    expect(writeKindOf('PutCommand', { Item: { sk: 'FINDING#fnd_1' } })).toBe('FINDING');
    expect(writeKindOf('UpdateCommand', { Key: { sk: 'SNAP#counters' } })).toBe('SNAP#counters');
    expect(writeKindOf('PutCommand', { Item: { sk: 'SNAP#inventory' } })).toBe('SNAP#inventory');
    expect(writeKindOf('PutCommand', { Item: { sk: 'HIST#900#1796439600000' } })).toBe('HIST');
    expect(
      writeKindOf('BatchWriteCommand', {
        RequestItems: { support: [{ PutRequest: { Item: { sk: 'HIST#60#1796439600000#0123456789ab' } } }] },
      }),
    ).toBe('HIST');
    // an older per-type snapshot, an item without sk
    expect(writeKindOf('PutCommand', { Item: { sk: 'SNAP#os.info' } })).toBe('other');
    expect(writeKindOf('UpdateCommand', { Key: { pk: 'FLEET' } })).toBe('other');
  });

  const round = (over: Partial<RoundMeasure>): RoundMeasure => ({
    cpuMs: 10,
    wcu: 2,
    rcu: 1,
    historyRcu: 0.5,
    stateRcu: 0.25,
    beats: 100,
    posts: 2,
    byKind: { ...Object.fromEntries(writeKinds.map((k) => [k, 0])), STATE: 2 } as RoundMeasure['byKind'],
    ...over,
  });

  it('sums a window of rounds per post, every kind included', () => {
    const hourly = round({
      cpuMs: 30,
      wcu: 10,
      byKind: {
        STATE: 4,
        'STATE#APART/transaction': 6,
        FINDING: 0,
        'SNAP#counters': 0,
        'SNAP#inventory': 0,
        HIST: 0,
        other: 0,
      },
    });
    const w = windowOf([round({}), round({}), round({}), hourly]);
    expect(w).toMatchObject({
      rounds: 4,
      posts: 8,
      beats: 400,
      cpuMsPerPost: 60 / 8,
      writeUnitsPerPost: 16 / 8,
      historyReadUnitsPerPost: 2 / 8,
      stateReadUnitsPerPost: 1 / 8,
    });
    expect(w.beatsPerSecondPerCore).toBeCloseTo(400 / 0.06);
    expect(w.writeUnitsByKind).toEqual({
      STATE: 10 / 8,
      'STATE#APART/transaction': 6 / 8,
      FINDING: 0,
      'SNAP#counters': 0,
      'SNAP#inventory': 0,
      HIST: 0,
      other: 0,
    });
    expect(describeKinds(w.writeUnitsByKind)).toBe('STATE 1.25, STATE#APART/transaction 0.75');
    expect(describeKinds(null)).toBe('by kind ?');
  });

  it('tells the history’s reads (a Query of its HIST# blocks) from the state’s', () => {
    expect(isHistoryRead({ ExpressionAttributeValues: { ':pk': 'INST#i', ':from': 'HIST#60#0001796439600000' } })).toBe(
      true,
    );
    expect(isHistoryRead({ ExpressionAttributeValues: { ':pk': 'INST#i', ':state': 'STATE' } })).toBe(false);
    expect(isHistoryRead({ Key: { pk: 'INST#i', sk: 'SNAP#counters' } })).toBe(false);
    expect(isStateRead({ ExpressionAttributeValues: { ':pk': 'INST#i', ':state': 'STATE' } })).toBe(true);
    expect(isStateRead({ ExpressionAttributeValues: { ':pk': 'INST#i', ':from': 'HIST#60#0001796439600000' } })).toBe(
      false,
    );
    expect(isStateRead({ Key: { pk: 'RULESETTINGS', sk: 'REVISION' } })).toBe(false);
  });
});
