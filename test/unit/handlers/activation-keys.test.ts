/** The createActivationKey function answers every key route the route table gives it: create, list, revoke. */
import { byRouteKey } from '#lambdas/handlers/activation-keys';
import { apiRoutes } from '#lambdas/shared/api-routes';

describe('the activation-keys function', () => {
  it('has a handler for each of its routes, and no other', () => {
    const routed = apiRoutes.filter((route) => route.fn === 'createActivationKey').map((r) => `${r.method} ${r.path}`);

    expect(Object.keys(byRouteKey).sort()).toEqual([...routed].sort());
    expect(routed).toHaveLength(3);
  });
});
