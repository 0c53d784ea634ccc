/**
 * Requests one fan-out keeps in flight (an item's own calls aside): within the SDK's 50 sockets, so
 * none waits for a socket past its attempt's deadline, as a batch of hundreds at once did.
 */
export const CALLS_AT_ONCE = 16;

/**
 * `Promise.allSettled` over `items` with at most `limit` of `work` in flight: what each settled to,
 * in the items' order. For fan-outs whose requests share a connection pool.
 */
export async function settleLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const settled: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        settled[i] = { status: 'fulfilled', value: await work(items[i] as T) };
      } catch (reason) {
        settled[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return settled;
}

/**
 * `Promise.all` over `items` with at most `limit` in flight: the values in the items' order, or the
 * first failure (in that order) once every call has settled, so none runs on behind the answer.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const settled = await settleLimited(items, limit, work);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
