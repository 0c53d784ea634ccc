/**
 * The local cloud answers only requests addressed to a loopback name. A web page that rebinds its
 * own DNS name to 127.0.0.1 sends its own name as `Host`; refusing it keeps the development routes
 * (users linked to any group, the ops token in cloud.json) out of a browser's reach (docs/security.md).
 */
import type { HttpResponse } from './http-event';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for `127.0.0.1`, `localhost` or `[::1]`, with or without a port; anything else, or none, is false. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const match = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  return match !== null && LOOPBACK_NAMES.has(match[1]!);
}

/**
 * True when no `Origin` is sent (a program, not a browser) or it is a loopback origin. A page
 * elsewhere may still send a simple POST to 127.0.0.1 itself (no rebinding needed): its Origin
 * names it, and the development routes, which need no token, refuse it.
 */
export function isLoopbackOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  const match = /^https?:\/\/(.+)$/.exec(origin.trim());
  return match !== null && isLoopbackHost(match[1]);
}

/** The refusal of another Host: 403 problem+json (not 421, which the agent reads as another region). */
export function foreignHostRefusal(host: string | undefined): HttpResponse {
  return forbidden(
    `The local cloud answers only the loopback names 127.0.0.1, localhost and [::1]; this request was addressed to ${JSON.stringify(host ?? '')}.`,
  );
}

/** The refusal of a development route called by a page of another origin. */
export function foreignOriginRefusal(origin: string | undefined): HttpResponse {
  return forbidden(
    `The development routes answer pages of a loopback origin only; this request came from ${JSON.stringify(origin ?? '')}.`,
  );
}

function forbidden(detail: string): HttpResponse {
  const body = { type: 'https://ucx-cloud.example/problems/forbidden', title: 'Forbidden', status: 403, detail };
  return {
    statusCode: 403,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: Buffer.from(JSON.stringify(body)),
  };
}
