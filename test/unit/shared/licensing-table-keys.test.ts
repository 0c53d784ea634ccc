import {
  leadingKeyPattern,
  licensingPartitions,
  licensingPk,
  type LicensingPartition,
} from '#lambdas/shared/licensing-table-keys';

const partitions = Object.keys(licensingPartitions) as LicensingPartition[];
/** a key of the partition: a fixed partition (STALE_RELEASE, ADVISORY) takes no id */
const keyIn = (p: LicensingPartition) => licensingPk(p, licensingPartitions[p].endsWith('#') ? 'x_1' : '');
/** IAM's StringLike: `*` any run of characters, everything else literal. */
const matches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

describe('licensing table partitions', () => {
  it('builds the keys the table holds', () => {
    expect(licensingPk('account', 'acc_1')).toBe('ACC#acc_1');
    expect(licensingPk('installation', 'inst_1')).toBe('INST#inst_1');
    expect(licensingPk('staleRelease')).toBe('STALE_RELEASE');
  });

  it.each(partitions)("%s's LeadingKeys pattern matches its own keys and no other partition's", (partition) => {
    const pattern = leadingKeyPattern(partition);
    const others = partitions.filter((p) => p !== partition);

    expect(matches(pattern, keyIn(partition))).toBe(true);
    // RES#* must not reach RESELLER#…, ACC#* not ACCOUNTS#…: the prefixes end at their '#'
    expect(others.filter((p) => matches(pattern, keyIn(p)))).toEqual([]);
  });
});
