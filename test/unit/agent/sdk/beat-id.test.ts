import { beatIdSource } from '#agent/sdk/beat-id';
import { beatIdSchema } from '#lambdas/core/telemetry/catalogue';

describe('beatIdSource', () => {
  it('gives UUIDv8 ids the catalogue accepts, sharing the agent’s random prefix and counting up', () => {
    const next = beatIdSource(() => Buffer.from('0123456789abcdef', 'hex'));
    const ids = Array.from({ length: 3 }, next);

    expect(ids).toEqual([
      '01234567-89ab-8cde-8000-000000000000',
      '01234567-89ab-8cde-8000-000000000001',
      '01234567-89ab-8cde-8000-000000000002',
    ]);
    for (const id of ids) expect(beatIdSchema.safeParse(id).success).toBe(true);
  });

  it('gives every id once: the counter reads back from its 15 hex digits', () => {
    const next = beatIdSource(() => Buffer.alloc(8));
    const ids = new Set(Array.from({ length: 1000 }, next));
    expect(ids.size).toBe(1000);
    const counter = (id: string) => BigInt(`0x${id.slice(20, 23)}${id.slice(24)}`);
    expect(counter([...ids].at(-1)!)).toBe(999n);
  });

  it('draws a new prefix for every agent, so a restart never reuses an id', () => {
    const a = beatIdSource()();
    const b = beatIdSource()();
    expect(a.slice(0, 19)).not.toBe(b.slice(0, 19));
    expect(a.slice(19)).toBe(b.slice(19));
  });
});
