import { routes } from '#lib/routes';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  WrongRegionError,
} from '#lambdas/core/errors';
import { problemSchema, wrongRegionProblemSchema } from '#lambdas/core/problem-schema';
import { openApiDocument } from '#lambdas/shared/openapi';
import { logger } from '#lambdas/shared/powertools';
import { problemResponse } from '#lambdas/shared/problem';

interface Ref {
  $ref: string;
}
interface Response {
  description: string;
  content?: Record<string, { schema: Ref }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  security: Record<string, string[]>[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { required: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, Response | Ref>;
}
interface Document {
  servers: { url: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, Response>; schemas: Record<string, unknown> };
}

const endpoints = { eu: 'https://eu.api.ucx-cloud.test', us: 'https://us.api.ucx-cloud.test' };
const document = openApiDocument({ endpoints }) as unknown as Document;

const operationOf = (route: { method: string; path: string }): Operation =>
  document.paths[route.path]![route.method.toLowerCase()]!;
const resolved = (response: Response | Ref): Response =>
  '$ref' in response ? document.components.responses[response.$ref.split('/').pop()!]! : response;

describe('the OpenAPI document', () => {
  it('describes every route of the route table, and nothing else', () => {
    const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );

    const routed = routes.map((r) => `${r.method} ${r.path}`);

    expect([...documented].sort()).toEqual([...routed].sort());
  });

  it('names each operation after the function that answers its route, or its own name where routes share one', () => {
    const operationIds = routes.map((route) => operationOf(route).operationId);

    expect(operationIds).toEqual(routes.map((route) => route.operation ?? route.fn));
    expect(new Set(operationIds).size).toBe(routes.length);
  });

  it('tags and summarises every operation and secures it as its route is authenticated', () => {
    const expected = {
      agent: [{ agentSignature: [], agentSignatureInput: [] }],
      user: [{ userToken: [] }],
      public: [],
      'staff-or-machine': [{ userToken: [] }, { machineToken: [] }],
    };

    for (const route of routes) {
      const operation = operationOf(route);
      expect({ route: route.fn, security: operation.security }).toEqual({
        route: route.fn,
        security: expected[route.auth],
      });
      expect(operation.tags).toHaveLength(1);
      expect(operation.summary.length).toBeGreaterThan(5);
    }
  });

  it('declares each path parameter of each route, required, and no other', () => {
    for (const route of routes) {
      const placeholders = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

      const declared = (operationOf(route).parameters ?? []).filter((p) => p.in === 'path');

      expect({ route: route.fn, path: declared.map((p) => p.name).sort() }).toEqual({
        route: route.fn,
        path: [...placeholders].sort(),
      });
      expect(declared.every((p) => p.required)).toBe(true);
    }
  });

  it('answers every error as problem+json, except API Gateway’s own 401 (no token) and 429', () => {
    for (const route of routes) {
      const operation = operationOf(route);
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);

      for (const [status, response] of errors) {
        const gateways =
          status === '429' || (status === '401' && (route.auth === 'user' || route.auth === 'staff-or-machine'));
        const { content } = resolved(response);
        const [mediaType, { schema }] = Object.entries(content ?? {})[0]!;
        expect({ route: route.fn, status, mediaType, schema: schema.$ref }).toEqual({
          route: route.fn,
          status,
          mediaType: gateways ? 'application/json' : 'application/problem+json',
          schema: gateways
            ? '#/components/schemas/GatewayMessage'
            : status === '421'
              ? '#/components/schemas/WrongRegionProblem'
              : '#/components/schemas/Problem',
        });
      }
      expect(errors.map(([status]) => status)).toEqual(expect.arrayContaining(['429', '500']));
    }
  });

  it('gives each route the errors its kind of route can give', () => {
    for (const route of routes) {
      const operation = operationOf(route);
      const statuses = Object.keys(operation.responses);
      const takesInput = (operation.parameters ?? []).some((p) => p.in !== 'header') || operation.requestBody;

      if (takesInput)
        expect({ route: route.fn, statuses }).toEqual({ route: route.fn, statuses: expect.arrayContaining(['400']) });
      if (route.auth !== 'public') expect(statuses).toContain('401');
      if (route.auth === 'user') expect(statuses).toContain('403');
      if (operation.requestBody) expect(statuses).toEqual(expect.arrayContaining(['413', '415']));
      if (!['openapi', 'telemetryCatalogue'].includes(route.fn)) {
        expect(Object.keys(resolved(operation.responses['503']!).headers ?? {})).toEqual(['retry-after']);
      }
    }
  });

  it('describes the body of every answer that has one', () => {
    for (const route of routes) {
      const answers = Object.entries(operationOf(route).responses).filter(([status]) => Number(status) < 400);

      for (const [status, response] of answers) {
        const hasBody = !['204', '304'].includes(status);
        expect({ route: route.fn, status, described: Boolean(resolved(response).content) }).toEqual({
          route: route.fn,
          status,
          described: hasBody,
        });
      }
    }
  });

  it('lets answers gain fields, keeps request bodies strict, and spells an allocation out by product', () => {
    const { schemas } = document.components as {
      schemas: Record<string, { additionalProperties?: unknown; properties?: object }>;
    };

    expect(schemas['Account']).not.toHaveProperty('additionalProperties');
    expect(schemas['OrderRequest']).toMatchObject({ additionalProperties: false });
    expect(Object.keys(schemas['Allocation']!.properties ?? {})).toEqual([
      'attendant-console',
      'call-recording',
      'ivr',
      'acd',
      'digital-fax',
      'phone-lock',
      'contact-manager',
    ]);
  });

  it('lists each region’s API as a server, the serving region first', () => {
    const fromUs = openApiDocument({ endpoints, first: 'us' }) as unknown as Document;

    expect(document.servers.map((s) => s.url)).toEqual([endpoints.eu, endpoints.us]);
    expect(fromUs.servers.map((s) => s.url)).toEqual([endpoints.us, endpoints.eu]);
  });
});

describe('the Problem schema', () => {
  const domainErrors: [string, Error][] = [
    ['a validation error', new ValidationError([{ path: 'lines.0.quantity', message: 'Too small' }])],
    ['an unauthenticated request', new UnauthorizedError('Unknown signing key.')],
    ['a forbidden one', new ForbiddenError('Not allowed.')],
    ['a missing resource', new NotFoundError('No such account.')],
    [
      'a conflict naming fields',
      new ConflictError('Not enough free capacity.', [{ path: 'allocation.ivr', message: 'only 2 are free' }]),
    ],
    ['a conflict without fields', new ConflictError('Same id, other body.')],
    ['a gone installation', new GoneError('Deactivated.')],
    ['a body too large', new PayloadTooLargeError('Too large.')],
    ['a body not JSON', new UnsupportedMediaTypeError('Send JSON.')],
    ['a busy dependency', new ServiceUnavailableError('Busy.')],
    ['an unknown error', new Error('an internal detail')],
  ];

  beforeEach(() => {
    // problem.ts logs what it hides; the test looks at the answer only
    jest.spyOn(logger, 'error').mockImplementation(() => {});
    jest.spyOn(logger, 'warn').mockImplementation(() => {});
  });
  afterEach(() => jest.restoreAllMocks());

  it.each(domainErrors)('describes exactly what problem.ts answers for %s', (_name, error) => {
    const body = JSON.parse(String(problemResponse(error, '/v1/accounts/acc_00000001').body));

    expect(problemSchema.parse(body)).toEqual(body);
  });

  it('describes a 421 with the home region and its endpoint', () => {
    const body = JSON.parse(String(problemResponse(new WrongRegionError('us', endpoints.us), '/v1/activations').body));

    expect(wrongRegionProblemSchema.parse(body)).toEqual(body);
    expect(body).toMatchObject({ region: 'us', endpoint: endpoints.us });
  });
});
