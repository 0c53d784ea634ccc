/** The public API, same origin (the local router and CloudFront both put `/v1/` beside the portal). */
import { ApiError, problemOf } from './problem';

let token: string | undefined;
let onUnauthorized: () => void = () => undefined;

export function useToken(value: string | undefined, unauthorized?: () => void): void {
  token = value;
  if (unauthorized) onUnauthorized = unauthorized;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    if (response.status === 401 && path.startsWith('/v1/')) onUnauthorized();
    throw new ApiError(problemOf(response.status, parsed));
  }
  return parsed as T;
}
