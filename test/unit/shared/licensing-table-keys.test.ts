import {
  leadingKeyPattern,
  licensingPartitions,
  licensingPk,
  type LicensingPartition,
} from '#lambdas/shared/licensing-table-keys';

const partitions = Object.keys(licensingPartitions) as LicensingPartition[];
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

    expect(matches(pattern, licensingPk(partition, partition === 'staleRelease' ? '' : 'x_1'))).toBe(true);
    // RES#* must not reach RESELLER#…, ACC#* not ACCOUNTS#…: the prefixes end at their '#'
    expect(others.filter((p) => matches(pattern, licensingPk(p, p === 'staleRelease' ? '' : 'x_1')))).toEqual([]);
  });
});
