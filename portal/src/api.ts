/** The public API, same origin (the local router and CloudFront both put `/v1/` beside the portal). */
import { ApiError, problemOf } from './problem';

let token: string | undefined;
let onUnauthorized: () => void = () => undefined;
let refresher: (() => Promise<boolean>) | undefined;

export function useToken(value: string | undefined, unauthorized?: () => void): void {
  token = value;
  if (unauthorized) onUnauthorized = unauthorized;
}

/** How to get a new token when the API answers 401 (true when it did): the request is sent once more. */
export function useRefresh(refresh: () => Promise<boolean>): void {
  refresher = refresh;
}

export async function api<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && path.startsWith('/v1/')) {
      if (!retried && token && refresher && (await refresher())) return api<T>(method, path, body, true);
      onUnauthorized();
    }
    throw new ApiError(problemOf(response.status, parsed));
  }
  return parsed as T;
}

/** A text representation of a resource (e.g. `text/csv`), fetched with the session's token. */
export async function apiText(path: string, accept: string): Promise<string> {
  const headers: Record<string, string> = { accept: `${accept}, application/problem+json` };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(path, { headers });
  const text = await response.text();
  if (!response.ok) {
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.status === 401) onUnauthorized();
    throw new ApiError(problemOf(response.status, parsed));
  }
  return text;
}
