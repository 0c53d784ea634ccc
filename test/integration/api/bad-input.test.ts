/**
 * Bad input never answers 5xx: every route of the HTTP API, as a customer of a real account, as
 * the back office and as support, with junk path parameters, junk query strings and request
 * bodies that break the route's own schema (from the OpenAPI document the cloud serves) field by
 * field. A refusal must be problem+json; nothing here may crash a handler.
 */
import { randomUUID } from 'node:crypto';
import { apiRoutes } from '#lambdas/shared/api-routes';
import { api, call, type JsonResponse, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';

jest.setTimeout(180_000);

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Document = {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
};

/** Path parameter values no route accepts as they are. */
const junkParams = ['x', 'a'.repeat(600), '%00', '..%2F..', '%F0%9F%98%80', randomUUID(), 'DEU', '-1'];
const junkQuery = '?limit=-1&cursor=%25ZZ&from=yesterday&to=0&format=xml&action=%00&unknown=1';
/** Values of the wrong kind for a field of each JSON type. */
const wrongFor: Record<string, unknown> = {
  string: 12345,
  number: 'abc',
  integer: 1.5,
  boolean: 'yes',
  array: { not: 'a list' },
  object: ['not', 'an object'],
};
const oddStrings = ['', 'DEU', 'X1', '\u0000', '😀'.repeat(300), 'a'.repeat(20_000), '2026-13-45T25:61:61Z'];

function resolve(doc: Document, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  return resolve(doc, doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')]);
}

/** The object schema's properties (first branch of a union, parts of an intersection). */
function propertiesOf(doc: Document, schema: Schema | undefined): Record<string, Schema> {
  const s = resolve(doc, schema);
  if (!s) return {};
  if (s.properties) return s.properties;
  if (s.allOf) return Object.assign({}, ...s.allOf.map((p) => propertiesOf(doc, p)));
  return propertiesOf(doc, (s.anyOf ?? s.oneOf)?.[0]);
}

const typeOf = (doc: Document, schema: Schema): string | undefined => {
  const s = resolve(doc, schema);
  const t = Array.isArray(s?.type) ? s.type.find((x) => x !== 'null') : s?.type;
  return t ?? (s?.properties ? 'object' : s?.items ? 'array' : undefined);
};

/** Bodies that break the route's schema: raw junk, every field of the wrong kind, odd strings in every string field. */
function junkBodies(doc: Document, schema: Schema | undefined): { raw?: string; body?: unknown }[] {
  const props = propertiesOf(doc, schema);
  const names = Object.keys(props);
  const bodies: { raw?: string; body?: unknown }[] = [
    { raw: '{' },
    { raw: 'null' },
    { raw: '[]' },
    { raw: '"x"' },
    { body: {} },
    { body: { unexpected: true } },
  ];
  if (names.length === 0) return bodies;
  bodies.push({
    body: Object.fromEntries(names.map((n) => [n, wrongFor[typeOf(doc, props[n]!) ?? 'string'] ?? null])),
  });
  for (const odd of oddStrings) {
    bodies.push({
      body: Object.fromEntries(
        names.map((n) => {
          const t = typeOf(doc, props[n]!);
          if (t === 'string' || t === undefined) return [n, odd];
          if (t === 'object')
            return [n, Object.fromEntries(Object.keys(propertiesOf(doc, props[n])).map((k) => [k, odd]))];
          if (t === 'array') return [n, [odd]];
          return [n, odd.length];
        }),
      ),
    });
  }
  return bodies;
}

const pathWith = (template: string, value: string) => template.replace(/\{[^}]+\}/g, value);
/** Path parameters of the right shape (nothing behind them but the account), so a body is read. */
const wellFormed = (template: string, accountId: string) =>
  template.replace(/\{([^}]+)\}/g, (_, name: string) =>
    name === 'accountId' ? accountId : name === 'ruleId' ? 'telemetry-silent' : randomUUID(),
  );

describe('bad input', () => {
  let doc: Document;
  let tokens: { who: string; token: string }[];
  let accountId: string;
  const fiveXx: string[] = [];
  const notProblem: string[] = [];
  let requests = 0;

  const check = (what: string, res: JsonResponse) => {
    requests++;
    if (res.status >= 500) fiveXx.push(`${what} → ${res.status} ${res.text.slice(0, 200)}`);
    else if (res.status >= 400 && !/^application\/problem\+json/.test(res.headers.get('content-type') ?? ''))
      notProblem.push(`${what} → ${res.status} ${res.headers.get('content-type')}`);
  };

  beforeAll(async () => {
    doc = (await call('GET', `${api()}/v1/openapi.json`)).json as Document;
    accountId = await newAccount([perpetual('ivr', 2)]);
    tokens = [
      { who: 'customer', token: tokenFor({ groups: ['customer'], accountId }) },
      { who: 'back office', token: opsToken() },
      { who: 'support', token: tokenFor({ groups: ['support'] }) },
    ];
  });

  it('finds the routes and their bodies in the served document', () => {
    expect(apiRoutes.length).toBeGreaterThan(50);
    const withBodies = apiRoutes.filter((r) => doc.paths[r.path]?.[r.method.toLowerCase()]?.requestBody);
    expect(withBodies.length).toBeGreaterThan(20);
  });

  it.each(apiRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s answers junk without a 5xx, refusals as problem+json',
    async (_name, route) => {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      const schema = operation?.requestBody?.content?.['application/json']?.schema;
      // the account's own id where a route takes one, so a customer reaches the body's validation
      const realPath = wellFormed(route.path, accountId);
      const targets = [
        ...junkParams.filter(() => route.path.includes('{')).map((p) => pathWith(route.path, p)),
        `${realPath}${junkQuery}`,
      ];
      const bodies = ['POST', 'PUT', 'PATCH'].includes(route.method) ? junkBodies(doc, schema) : [];
      fiveXx.length = 0;
      notProblem.length = 0;
      for (const { who, token } of route.auth === 'public' || route.auth === 'agent' ? tokens.slice(0, 1) : tokens) {
        for (const target of targets.slice(0, who === 'customer' ? targets.length : 2)) {
          check(`${who} ${route.method} ${target}`, await call(route.method, `${api()}${target}`, { token }));
        }
        for (const { raw, body } of bodies) {
          const res = await call(route.method, `${api()}${realPath}`, {
            token,
            ...(raw !== undefined ? { rawBody: raw, headers: { 'content-type': 'application/json' } } : { body }),
          });
          check(`${who} ${route.method} ${route.path} ${raw ?? JSON.stringify(body).slice(0, 120)}`, res);
        }
      }
      expect(fiveXx).toEqual([]);
      expect(notProblem).toEqual([]);
    },
  );

  afterAll(() => {
    // a run that sent nothing proves nothing
    expect(requests).toBeGreaterThan(1000);
  });
});
