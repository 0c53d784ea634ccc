/**
 * The edge of the WebSocket routes: API Gateway's event in, a status out. A `$connect` refusal is
 * the HTTP answer to the upgrade (problem+json); messages answer through @connections instead.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { withHouseStack } from './handler-stack';
import { problemResponse } from './problem';

export const webSocketEventSchema = z.object({
  requestContext: z.object({
    connectionId: z.string().check(z.minLength(1), z.maxLength(128)),
    routeKey: z.string(),
    stage: z.string(),
    eventType: z.enum(['CONNECT', 'MESSAGE', 'DISCONNECT']),
  }),
  headers: z.optional(z.record(z.string(), z.string())),
  queryStringParameters: z.nullish(z.record(z.string(), z.string())),
  body: z.nullish(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
});
export type WebSocketEvent = z.infer<typeof webSocketEventSchema>;

export interface WebSocketResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Builds a WebSocket route's handler; a domain error becomes its problem answer, once. */
export function webSocketRoute(run: (event: WebSocketEvent) => Promise<WebSocketResult | undefined>) {
  return withHouseStack(async (raw: unknown, _context: Context): Promise<WebSocketResult> => {
    const parsed = webSocketEventSchema.safeParse(raw);
    if (!parsed.success) return { statusCode: 400 };
    try {
      return (await run(parsed.data)) ?? { statusCode: 200 };
    } catch (error) {
      const answer = problemResponse(error, `/${parsed.data.requestContext.stage}`);
      return {
        statusCode: answer.statusCode ?? 500,
        headers: answer.headers as Record<string, string>,
        ...(answer.body !== undefined && { body: answer.body }),
      };
    }
  });
}
