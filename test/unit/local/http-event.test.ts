import { buildHttpApiEvent, joinHeaders, mapHttpApiResult } from '#local/http-event';

const request = (over: Partial<Parameters<typeof buildHttpApiEvent>[0]> = {}) => ({
  method: 'POST',
  url: '/v1/accounts/a%201/activation-keys?x=1&x=2&y=%C3%A9',
  rawHeaders: [
    'Host',
    '127.0.0.1:4100',
    'Content-Type',
    'application/json',
    'X-Dup',
    'a',
    'x-dup',
    'b',
    'Cookie',
    'c1=1; c2=2',
    'User-Agent',
    'jest',
  ],
  body: Buffer.from('{"a":1}'),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  ...over,
});
const context = {
  routeKey: 'POST /v1/accounts/{accountId}/activation-keys',
  pathParameters: { accountId: 'a 1' },
  accountId: '000000000000',
  apiId: 'local-eu',
  port: 4100,
  now: new Date('2026-03-12T19:03:58.123Z'),
  requestId: 'req-1',
};

describe('buildHttpApiEvent', () => {
  it('builds a payload 2.0 event as API Gateway does', () => {
    // Act
    const event = buildHttpApiEvent(request(), context);

    // Assert
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/accounts/{accountId}/activation-keys',
      rawPath: '/v1/accounts/a%201/activation-keys',
      rawQueryString: 'x=1&x=2&y=%C3%A9',
      cookies: ['c1=1', 'c2=2'],
      queryStringParameters: { x: '1,2', y: 'é' },
      pathParameters: { accountId: 'a 1' },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local-eu',
        domainName: '127.0.0.1:4100',
        http: {
          method: 'POST',
          path: '/v1/accounts/a%201/activation-keys',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'jest',
        },
        requestId: 'req-1',
        routeKey: 'POST /v1/accounts/{accountId}/activation-keys',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: Date.parse('2026-03-12T19:03:58.123Z'),
      },
    });
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      'x-dup': 'a,b',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('base64-encodes binary and content-encoded bodies', () => {
    // Arrange
    const gzipped = request({
      rawHeaders: ['Content-Type', 'application/json', 'Content-Encoding', 'gzip'],
      body: Buffer.from([0x1f, 0x8b, 0]),
    });
    const binary = request({ rawHeaders: ['Content-Type', 'application/octet-stream'], body: Buffer.from([0xff]) });

    // Act
    const events = [buildHttpApiEvent(gzipped, context), buildHttpApiEvent(binary, context)];

    // Assert
    expect(events.map((e) => [e.isBase64Encoded, e.body])).toEqual([
      [true, Buffer.from([0x1f, 0x8b, 0]).toString('base64')],
      [true, '/w=='],
    ]);
  });

  it('leaves out body, query and path parameters when there are none, and carries JWT claims', () => {
    // Act
    const event = buildHttpApiEvent(
      request({ method: 'GET', url: '/v1/openapi.json', body: Buffer.alloc(0), rawHeaders: [] }),
      {
        ...context,
        routeKey: 'GET /v1/openapi.json',
        pathParameters: undefined,
        authorizer: { jwt: { claims: { sub: 'u1', 'cognito:groups': '[backoffice support]' }, scopes: null } },
      },
    );

    // Assert
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(event.rawQueryString).toBe('');
    expect(event.isBase64Encoded).toBe(false);
    expect((event.requestContext as unknown as { authorizer: unknown }).authorizer).toEqual({
      jwt: { claims: { sub: 'u1', 'cognito:groups': '[backoffice support]' }, scopes: null },
    });
  });
});

describe('joinHeaders', () => {
  it('lower-cases names and comma-joins repeats', () => {
    expect(joinHeaders(['A', '1', 'a', '2', 'B', '3'])).toEqual({ a: '1,2', b: '3' });
  });
});

describe('mapHttpApiResult', () => {
  it('maps a response with headers, cookies and a base64 body', () => {
    // Act
    const response = mapHttpApiResult({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png', ETag: '"1"' },
      cookies: ['a=1', 'b=2'],
      body: '/w==',
      isBase64Encoded: true,
    });

    // Assert
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'content-type': 'image/png', etag: '"1"', 'set-cookie': ['a=1', 'b=2'] });
    expect([...response.body]).toEqual([0xff]);
  });

  it('serializes a result without statusCode as a 200 JSON body', () => {
    // Act
    const object = mapHttpApiResult({ hello: 'world' });
    const text = mapHttpApiResult('plain');

    // Assert
    expect([object.statusCode, object.headers['content-type'], object.body.toString()]).toEqual([
      200,
      'application/json',
      '{"hello":"world"}',
    ]);
    expect(text.body.toString()).toBe('plain');
  });

  it('answers 500 to a malformed response', () => {
    expect(mapHttpApiResult({ statusCode: 'abc' }).statusCode).toBe(500);
    expect(mapHttpApiResult({ statusCode: 200, headers: 'nope' }).statusCode).toBe(500);
  });
});
