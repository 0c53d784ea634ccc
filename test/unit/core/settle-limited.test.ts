import { mapLimited, settleLimited } from '#lambdas/core/settle-limited';

/** n × 10 after a turn of the event loop (`failOn` throws instead), counting the most in flight. */
function tenfold(failOn?: number) {
  const seen = { inFlight: 0, most: 0 };
  const work = async (n: number) => {
    seen.most = Math.max(seen.most, ++seen.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    seen.inFlight--;
    if (n === failOn) throw new Error('three');
    return n * 10;
  };
  return { seen, work };
}

describe('settleLimited', () => {
  it('settles every item in order, a failure alone, with at most `limit` in flight', async () => {
    const { seen, work } = tenfold(3);

    const settled = await settleLimited([1, 2, 3, 4, 5, 6, 7], 3, work);

    expect(seen.most).toBe(3);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      10,
      20,
      'three',
      40,
      50,
      60,
      70,
    ]);
  });

  it('settles nothing for no items', async () => {
    expect(await settleLimited([], 4, async () => 1)).toEqual([]);
  });
});

describe('mapLimited', () => {
  it('answers the values in order, with at most `limit` in flight', async () => {
    const { seen, work } = tenfold();

    expect(await mapLimited([1, 2, 3, 4, 5], 2, work)).toEqual([10, 20, 30, 40, 50]);
    expect(seen.most).toBe(2);
  });

  it('rejects with the first failure in order, once every call has settled', async () => {
    const finished: number[] = [];
    const work = async (n: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      finished.push(n);
      if (n === 2 || n === 4) throw new Error(`failed ${n}`);
      return n;
    };

    await expect(mapLimited([1, 2, 3, 4, 5], 2, work)).rejects.toThrow('failed 2');
    expect(finished.sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
