/** The listInstallationFindings function answers the findings and the history routes, each with its own handler. */
import { byRouteKey } from '#lambdas/handlers/installation-support';
import { apiRoutes } from '#lambdas/shared/api-routes';

describe('the listInstallationFindings function', () => {
  it('has a handler for each of its routes, and no other', () => {
    const routed = apiRoutes
      .filter((route) => route.fn === 'listInstallationFindings')
      .map((r) => `${r.method} ${r.path}`);

    expect(Object.keys(byRouteKey).sort()).toEqual([...routed].sort());
    expect(routed).toHaveLength(2);
  });
});
