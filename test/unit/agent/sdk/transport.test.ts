import { proxyFor, redactProxy } from '#agent/sdk/transport';

describe('proxyFor', () => {
  const env = {
    HTTPS_PROXY: 'http://u:p@proxy:3128',
    HTTP_PROXY: 'http://plain:8080',
    NO_PROXY: 'localhost,.corp.example',
  };

  it('takes --proxy first, then HTTPS_PROXY for https and HTTP_PROXY for http, and honours NO_PROXY', () => {
    expect(proxyFor('https://eu.api.ucx-cloud.example', 'http://cli:1', env)).toBe('http://cli:1');
    expect(proxyFor('https://eu.api.ucx-cloud.example', undefined, env)).toBe('http://u:p@proxy:3128');
    expect(proxyFor('http://eu.api.ucx-cloud.example', undefined, env)).toBe('http://plain:8080');
    expect(proxyFor('https://api.corp.example', undefined, env)).toBeUndefined();
    expect(proxyFor('http://localhost:4100', undefined, env)).toBeUndefined();
    expect(proxyFor('https://eu.api.ucx-cloud.example', null, env)).toBeUndefined();
    expect(proxyFor('https://eu.api.ucx-cloud.example', undefined, {})).toBeUndefined();
  });

  it('never prints the proxy password', () => {
    expect(redactProxy('http://user:s3cret@proxy:3128')).toBe('http://user:***@proxy:3128');
  });
});
