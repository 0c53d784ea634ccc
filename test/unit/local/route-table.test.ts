import { RouteTable } from '#local/route-table';

const table = () => {
  const t = new RouteTable<string>();
  t.add('GET /v1/accounts/{accountId}', 'account');
  t.add('GET /v1/accounts/me', 'me');
  t.add('ANY /v1/accounts/{accountId}', 'any-account');
  t.add('GET /files/{proxy+}', 'files');
  return t;
};

describe('RouteTable', () => {
  it('prefers a literal segment to a parameter, and a method to ANY', () => {
    expect(table().match('GET', '/v1/accounts/me')?.route).toBe('me');
    expect(table().match('GET', '/v1/accounts/acc-1')).toEqual({
      route: 'account',
      routeKey: 'GET /v1/accounts/{accountId}',
      pathParameters: { accountId: 'acc-1' },
    });
    expect(table().match('DELETE', '/v1/accounts/acc-1')?.route).toBe('any-account');
  });

  it('decodes parameters and matches greedy paths', () => {
    expect(table().match('GET', '/v1/accounts/a%2Fb')?.pathParameters).toEqual({ accountId: 'a/b' });
    expect(table().match('GET', '/files/a/b.txt')?.pathParameters).toEqual({ proxy: 'a/b.txt' });
  });

  it('finds nothing for an unknown route, an empty parameter or a trailing segment, unless $default', () => {
    // Arrange
    const t = table();

    // Act / Assert
    expect(t.match('GET', '/v1/accounts/')).toBeUndefined();
    expect(t.match('GET', '/v1/accounts/a/b')).toBeUndefined();
    expect(t.match('GET', '/files')).toBeUndefined();
    t.add('$default', 'default');
    expect(t.match('GET', '/nope')).toEqual({ route: 'default', routeKey: '$default' });
  });
});
