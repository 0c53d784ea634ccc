/**
 * The history answer OpenAPI publishes is the use case's result: the same shape at compile time,
 * and a real answer parses to itself (no field left undescribed).
 */
import type * as z from 'zod';
import { getInstallationHistory, historySchema, type HistoryView } from '#lambdas/core/history/get-history';
import { recordHistory } from '#lambdas/core/history/record-history';
import { MemoryHistoryStore } from '#test/support/memory-history-store';
import { beatAt, licenceFacts } from '#test/support/rules-harness';
import { healthOf, principals, supportWorld } from '#test/support/support-fixtures';

type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Plain<T[K]> }
    : T;
type Same<A, B> = (<T>() => T extends Plain<A> ? 1 : 2) extends <T>() => T extends Plain<B> ? 1 : 2 ? true : false;
const holds = <T extends true>(): T | undefined => undefined;
holds<Same<z.output<typeof historySchema>, HistoryView>>();

test('a real history answer parses to itself', async () => {
  const world = await supportWorld();
  world.store.putHealth(healthOf(world.installationId, world.accountId));
  const store = new MemoryHistoryStore();
  const now = world.licensing.clock.now().getTime();
  await recordHistory(
    store,
    world.installationId,
    [[beatAt('ucx.ivr', now - 120_000, { activeCalls: 3 }).beat, beatAt('ucx.database', now - 60_000).beat]],
    now,
  );
  const view = await getInstallationHistory(
    { ...world.deps, history: store, licences: { factsFor: async () => licenceFacts() } },
    principals.support,
    world.installationId,
    { range: '24h', series: [] },
  );
  expect(view.series.map((s) => s.key)).toEqual(['calls:ivr:active', expect.stringMatching(/^database:/)]);
  const json = JSON.parse(JSON.stringify(view));
  expect(historySchema.parse(json)).toEqual(json);
});
