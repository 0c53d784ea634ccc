import { setBounded } from '#lambdas/core/bounded-map';

describe('setBounded', () => {
  it('keeps at most max entries, the oldest leaving first', () => {
    const map = new Map<string, number>();
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) setBounded(map, key, i, 3);
    expect([...map]).toEqual([
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ]);
  });

  it('moves a key set again to the newest end, without dropping another', () => {
    const map = new Map([
      ['a', 0],
      ['b', 1],
    ]);
    setBounded(map, 'a', 9, 2);
    setBounded(map, 'c', 2, 2);
    expect([...map]).toEqual([
      ['a', 9],
      ['c', 2],
    ]);
  });

  it('keeps nothing at a bound of 0', () => {
    const map = new Map<string, number>();
    setBounded(map, 'a', 1, 0);
    expect(map.size).toBe(0);
  });
});
