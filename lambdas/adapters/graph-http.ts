/**
 * HTTP to Microsoft (the identity platform through oauth4webapi, and Graph): node:http(s) over keep-alive
 * agents that trust one extra CA besides Node's own when asked (the local stand-in's certificate).
 * Not the global fetch: it takes a CA only through an undici Agent, and undici is not a dependency
 * of the Lambdas.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpExchange {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface HttpAnswer {
  readonly status: number;
  /** lower-case names, repeated headers joined with `, ` */
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type HttpSend = (url: string, exchange: HttpExchange) => Promise<HttpAnswer>;

export interface MicrosoftHttpOptions {
  /** a PEM certificate trusted in addition to Node's root CAs */
  readonly extraCaPem?: string;
  /** per request, connection to last byte. @default 10_000 */
  readonly timeoutMs?: number;
}

export function microsoftHttp(options: MicrosoftHttpOptions = {}): HttpSend {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    ...(options.extraCaPem !== undefined && { ca: [...rootCertificates, options.extraCaPem] }),
  });
  return (url, exchange) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const headers = {
        ...exchange.headers,
        ...(exchange.body !== undefined && { 'content-length': String(Buffer.byteLength(exchange.body)) }),
      };
      const req = send(
        target,
        {
          method: exchange.method,
          headers,
          agent: secure ? httpsAgent : httpAgent,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: flatHeaders(res.headers),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(exchange.body);
    });
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
