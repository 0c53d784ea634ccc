/** Graph's subscription validation: echo the token as text/plain (never as HTML), within 10 s. */
import type { HttpResult } from './http';

export function validationEcho(token: string): HttpResult {
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    text: token,
  };
}
