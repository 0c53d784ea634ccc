/** The terms function answers exactly the routes the route table gives it, and refuses any other. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handler, termsRouteKeys } from '#lambdas/handlers/terms';
import { apiRoutes } from '#lambdas/shared/api-routes';

describe('the terms function', () => {
  it('has a handler for each of its routes in the route table, and no other', () => {
    // Arrange
    const fromTable = apiRoutes.filter((r) => r.fn === 'terms').map((r) => `${r.method} ${r.path}`);

    // Assert
    expect([...termsRouteKeys].sort()).toEqual([...fromTable].sort());
    expect(fromTable).toHaveLength(7);
  });

  it('refuses a route key it does not answer', async () => {
    // Act
    const answer = handler({ routeKey: 'GET /v1/other' } as APIGatewayProxyEventV2, {} as Context);

    // Assert
    await expect(answer).rejects.toThrow('terms: no route GET /v1/other');
  });
});
