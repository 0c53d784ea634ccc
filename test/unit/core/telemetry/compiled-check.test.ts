import * as z from 'zod/mini';
import { beatDataSchemas, beatTypes, catalogueLeaves, ARRAY_ITEMS } from '#lambdas/core/telemetry/catalogue';
import { compileCheck } from '#lambdas/core/telemetry/compiled-check';
import { validBeat } from '#test/support/telemetry-fixtures';

/** Values each leaf is replaced with: every kind of JSON value, edges of the catalogue's bounds. */
const replacements: unknown[] = [
  null,
  true,
  0,
  -0,
  -1,
  1.5,
  100,
  100.5,
  4096,
  4097,
  2 ** 53,
  Number.POSITIVE_INFINITY, // what JSON's 1e400 parses to
  '',
  'x',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(129),
  'x'.repeat(257),
  'x'.repeat(2049),
  'auto',
  'sql',
  '2026-03-02',
  '2026-13-02',
  '2026-03-02T09:00:00Z',
  '2026-03-02T09:00:00',
  '10.0.0.1',
  '10.0.0.256',
  'fe80::1',
  '6f1c1c3e-4a0b-4e5e-9d7a-0c1f2b3a4d5e',
  32,
  64,
  {},
  [],
  ['10.0.0.1'],
];

type Segment = string | typeof ARRAY_ITEMS;
/** An object or array of the JSON being mutated, indexed by key or position. */
type Container = Record<string | number, unknown>;

/** A copy of `data` with the first value at `segments` replaced (or deleted, or given a sibling key). */
function mutated(
  data: unknown,
  segments: readonly Segment[],
  change: { set: unknown } | 'delete' | 'extra-key',
): unknown {
  const copy = structuredClone(data);
  let node: unknown = copy;
  for (let i = 0; i < segments.length - 1 && node !== null && typeof node === 'object'; i++) {
    const segment = segments[i]!;
    node = (node as Container)[segment === ARRAY_ITEMS ? 0 : segment];
  }
  if (node === null || typeof node !== 'object') return copy;
  const holder = node as Container;
  const last = segments[segments.length - 1]!;
  const key = last === ARRAY_ITEMS ? 0 : last;
  if (change === 'delete') {
    if (Array.isArray(node)) node.length = 0;
    else delete holder[key];
  } else if (change === 'extra-key') {
    if (!Array.isArray(node)) holder['callerNumber'] = '+390123';
  } else holder[key] = change.set;
  return copy;
}

describe('compileCheck over the catalogue', () => {
  it('compiles every beat type (so every valid beat takes the fast path)', () => {
    // Act
    const missing = beatTypes.filter((type) => compileCheck(beatDataSchemas[type]) === undefined);

    // Assert
    expect(missing).toEqual([]);
  });

  it.each(beatTypes)('answers as zod does for %s, its valid data and every leaf changed', (type) => {
    // Arrange
    const schema = beatDataSchemas[type];
    const check = compileCheck(schema)!;
    const valid = validBeat(type).data;
    const cases: unknown[] = [valid, null, [], 'data', { ...valid, extra: 1 }];
    for (const leaf of catalogueLeaves(schema)) {
      for (const value of replacements) cases.push(mutated(valid, leaf.segments, { set: value }));
      cases.push(mutated(valid, leaf.segments, 'delete'));
      cases.push(mutated(valid, leaf.segments, 'extra-key'));
      // the array itself, when the leaf sits in one
      const arrayAt = leaf.segments.indexOf(ARRAY_ITEMS);
      if (arrayAt >= 0) {
        const arrayPath = leaf.segments.slice(0, arrayAt);
        for (const value of [null, {}, 'x', Array.from({ length: 5000 }, () => 1)]) {
          if (arrayPath.length > 0) cases.push(mutated(valid, arrayPath, { set: value }));
        }
      }
    }

    // Act
    const disagreements = cases
      .map((value) => ({ value, compiled: check(value), zod: schema.safeParse(value).success }))
      .filter((c) => c.compiled !== c.zod);

    // Assert
    expect(disagreements).toEqual([]);
    expect(check(valid)).toBe(true);
  });
});

describe('compileCheck: what it leaves to zod', () => {
  it.each<[string, z.ZodMiniType]>([
    ['an optional key', z.strictObject({ a: z.optional(z.string()) })],
    ['a non-strict object', z.object({ a: z.string() })],
    [
      'a transform',
      z.strictObject({
        a: z.pipe(
          z.string(),
          z.transform((s) => s.trim()),
        ),
      }),
    ],
    ['a default', z.strictObject({ a: z._default(z.string(), 'x') })],
    ['a regex check', z.strictObject({ a: z.string().check(z.regex(/^a+$/)) })],
    ['a refinement', z.strictObject({ a: z.number().check(z.refine((n) => n % 2 === 0)) })],
    ['a multiple-of check', z.strictObject({ a: z.int().check(z.multipleOf(5)) })],
  ])('does not compile a schema with %s', (_case, schema) => {
    // Act
    const check = compileCheck(schema);

    // Assert
    expect(check).toBeUndefined();
  });

  it('accepts only plain objects, never a class instance or an inherited key', () => {
    // Arrange
    const check = compileCheck(z.strictObject({ a: z.string() }))!;
    class Holder {
      a = 'x';
    }
    const inherited = Object.create({ a: 'x' }) as object;

    // Act
    const answers = [
      check({ a: 'x' }),
      check(new Holder()),
      check(inherited),
      check(Object.assign(Object.create(null), { a: 'x' })),
    ];

    // Assert
    expect(answers).toEqual([true, false, false, true]);
  });
});
