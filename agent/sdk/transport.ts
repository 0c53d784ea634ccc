/**
 * HTTP to the cloud: undici's fetch over a keep-alive pool, or through an HTTP proxy (with basic
 * auth from the proxy URL's user info) when one is configured. Every request but the JWKS read is
 * signed with `signing.ts` just before it leaves, so each retry carries a fresh `created`.
 */
import { Agent, ProxyAgent, fetch, type Dispatcher, type Response as FetchResponse } from 'undici';
import { gzipSync } from 'node:zlib';
import { signRequest, type SigningIdentity } from './signing';
import { CloudError, UnreachableError, type Problem } from './errors';
import { parseRetryAfter } from './schedule';

export interface TransportOptions {
  /** `http://user:pass@host:port`; default: the environment (`HTTPS_PROXY` / `HTTP_PROXY`, `NO_PROXY`). */
  proxy?: string | null;
  /** per request, default 30 s */
  timeoutMs?: number;
  /** keep-alive connections per origin, default 4 */
  connections?: number;
  /** share one pool between many clients (the fleet simulator) */
  dispatcher?: Dispatcher;
  userAgent?: string;
}

export interface Response {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
  /** milliseconds from send to the end of the body */
  latencyMs: number;
}

/** What the client needs of HTTP: `Transport` below, or a fake in tests. */
export interface HttpTransport {
  readonly endpoint: string;
  /** the proxy requests go through, if any */
  readonly proxy?: string | undefined;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; gzip?: boolean; identity?: SigningIdentity; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** Opens the transport to one API base URL. */
export type Connect = (endpoint: string) => HttpTransport;

export const AGENT_USER_AGENT = 'ucx-agent/1.0 (reference)';

/** The proxy to use for `target`: the explicit one, else the environment's, else none. */
export function proxyFor(
  target: string,
  explicit?: string | null,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (explicit === null) return undefined;
  if (explicit) return explicit;
  const url = new URL(target);
  const noProxy = (env['NO_PROXY'] ?? env['no_proxy'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const host = url.hostname.toLowerCase();
  if (
    noProxy.some(
      (entry) =>
        entry === '*' ||
        host === entry.replace(/^\./, '') ||
        host.endsWith(entry.startsWith('.') ? entry : `.${entry}`),
    )
  )
    return undefined;
  const fromEnv =
    url.protocol === 'https:'
      ? (env['HTTPS_PROXY'] ?? env['https_proxy'])
      : (env['HTTP_PROXY'] ?? env['http_proxy'] ?? env['HTTPS_PROXY'] ?? env['https_proxy']);
  return fromEnv || undefined;
}

/** An undici dispatcher for the proxy URL; its user info becomes `Proxy-Authorization: Basic`. */
export function proxyDispatcher(proxyUrl: string, connections = 4): ProxyAgent {
  const url = new URL(proxyUrl);
  const token =
    url.username || url.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : undefined;
  url.username = '';
  url.password = '';
  return new ProxyAgent({ uri: url.toString(), token, connections });
}

/** The proxy URL without its password, for status lines and logs. */
export function redactProxy(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  if (url.password) url.password = '***';
  return url.toString().replace(/\/$/, '');
}

export class Transport implements HttpTransport {
  private readonly dispatcher: Dispatcher;
  private readonly owned: boolean;
  readonly proxy: string | undefined;

  constructor(
    readonly endpoint: string,
    private readonly options: TransportOptions = {},
  ) {
    this.proxy = proxyFor(endpoint, options.proxy);
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.owned = false;
    } else {
      this.dispatcher = this.proxy
        ? proxyDispatcher(this.proxy, options.connections)
        : new Agent({ connections: options.connections ?? 4, keepAliveTimeout: 30_000 });
      this.owned = true;
    }
  }

  /** Sends a request; signed when `identity` is given. JSON bodies can be gzipped. Throws on no answer. */
  async request(
    method: string,
    path: string,
    options: { body?: unknown; gzip?: boolean; identity?: SigningIdentity; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = this.endpoint.replace(/\/+$/, '') + path;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      'user-agent': this.options.userAgent ?? AGENT_USER_AGENT,
      ...options.headers,
    };
    let bytes: Uint8Array | undefined;
    if (options.body !== undefined) {
      const json = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] = 'application/json';
      if (options.gzip) headers['content-encoding'] = 'gzip';
      bytes = options.gzip ? gzipSync(json) : json;
    }
    const sent = options.identity
      ? await signRequest({ method, url, headers, body: bytes }, options.identity)
      : headers;
    const started = performance.now();
    let res: FetchResponse;
    try {
      res = await fetch(url, {
        method,
        headers: sent,
        body: bytes,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new UnreachableError(url, error);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw new UnreachableError(url, error);
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: res.status,
      headers: res.headers as unknown as Headers,
      json,
      text,
      latencyMs: performance.now() - started,
    };
  }

  async close(): Promise<void> {
    if (this.owned) await this.dispatcher.close();
  }
}

/** Throws a `CloudError` for a response outside `expected`. */
export function expectStatus(res: Response, ...expected: number[]): Response {
  if (expected.includes(res.status)) return res;
  throw new CloudError(
    res.status,
    typeof res.json === 'object' && res.json !== null ? (res.json as Problem) : { detail: res.text.slice(0, 200) },
    parseRetryAfter(res.headers.get('retry-after')),
  );
}
