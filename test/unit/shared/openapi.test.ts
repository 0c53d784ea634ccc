import { routes } from '#lib/routes';
import { openApiDocument } from '#lambdas/shared/openapi';

describe('the OpenAPI document', () => {
  it('describes every route of the route table, and nothing else', () => {
    const documented = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );

    const routed = routes.map((r) => `${r.method} ${r.path}`);

    expect([...documented].sort()).toEqual([...routed].sort());
  });
});
