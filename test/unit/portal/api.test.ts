/** The portal's API client: a 401 is retried once after a refresh; a refused refresh ends the session. */
import { api, useRefresh, useToken } from '#portal/src/api';

function fakeFetch(...statuses: number[]) {
  const seen: string[] = [];
  globalThis.fetch = (async (_path: string, init: { headers: Record<string, string> }) => {
    seen.push(init.headers['authorization'] ?? '');
    const status = statuses.shift() ?? 200;
    return {
      ok: status < 300,
      status,
      text: async () => JSON.stringify(status < 300 ? { ok: true } : { status, title: 'Not authenticated' }),
    };
  }) as unknown as typeof fetch;
  return seen;
}

describe('the API client', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('retries a 401 once with the refreshed token', async () => {
    // Arrange
    const seen = fakeFetch(401, 200);
    let ended = 0;
    useToken('old', () => ended++);
    useRefresh(async () => {
      useToken('new');
      return true;
    });

    // Act
    const answer = await api<{ ok: boolean }>('GET', '/v1/ops/orders');

    // Assert
    expect(answer).toEqual({ ok: true });
    expect(seen).toEqual(['Bearer old', 'Bearer new']);
    expect(ended).toBe(0);
  });

  it('ends the session when the refresh is refused', async () => {
    // Arrange
    const seen = fakeFetch(401);
    let ended = 0;
    useToken('old', () => ended++);
    useRefresh(async () => false);

    // Act
    const failure = await api('GET', '/v1/ops/orders').catch((e: unknown) => e);

    // Assert
    expect(failure).toMatchObject({ problem: { status: 401 } });
    expect(seen).toEqual(['Bearer old']);
    expect(ended).toBe(1);
  });
});
