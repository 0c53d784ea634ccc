/** The accountPeople function answers every route the route table gives it, each with its own handler. */
import { byRouteKey } from '#lambdas/handlers/account-people';
import { apiRoutes } from '#lambdas/shared/api-routes';

describe('the accountPeople function', () => {
  it('has a handler for each of its routes, and no other', () => {
    const routed = apiRoutes.filter((route) => route.fn === 'accountPeople').map((r) => `${r.method} ${r.path}`);

    expect(Object.keys(byRouteKey).sort()).toEqual([...routed].sort());
    expect(routed).toHaveLength(13);
  });
});
