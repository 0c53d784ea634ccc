/**
 * The Presence session's frames and limits as the agent sees them (DESIGN.md, "The Presence
 * contract (v1)"). The limits are the cloud's; a unit test keeps them equal to its own.
 */
import * as z from 'zod';

/** subscriptions an installation may hold in all */
export const MAX_USERS_PER_INSTALLATION = 10_000;
/** UPNs in one subscribe, unsubscribe or snapshot request (the cloud's frames stay under 128 KB) */
export const MAX_USERS_PER_FRAME = 1_000;
/** the cloud closes a session idle this long; the agent pings well within it */
export const IDLE_SESSION_SECONDS = 600;
/** the cloud closes every session after this long at most; the agent reconnects */
export const MAX_SESSION_SECONDS = 7_200;

const UPN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A user principal name, trimmed and lower-cased (Entra ID compares them case-insensitively); undefined when not one. */
export function normalUpn(text: string): string | undefined {
  const upn = text.trim();
  return upn.length >= 3 && upn.length <= 256 && UPN.test(upn) ? upn.toLowerCase() : undefined;
}

/** `items` in slices of at most `size`. */
export function inBatches<T>(items: readonly T[], size: number = MAX_USERS_PER_FRAME): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** Availability and activity as Microsoft Graph spells them; an unknown new value passes through. */
const presenceSchema = z.object({
  user: z.string(),
  availability: z.string(),
  activity: z.string(),
  /** when the cloud learnt it, ISO 8601 */
  at: z.string(),
});
export type Presence = z.infer<typeof presenceSchema>;

/** The frames the cloud sends; anything else is ignored (a newer cloud may add ops). */
export const downFrameSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('ack'),
    id: z.string(),
    subscribed: z.number(),
    unknown: z.array(z.string()).optional(),
  }),
  z.object({ op: z.literal('snapshot'), presences: z.array(presenceSchema) }),
  z.object({ op: z.literal('presence'), updates: z.array(presenceSchema) }),
  z.object({ op: z.literal('resync'), presences: z.array(presenceSchema) }),
  z.object({ op: z.literal('pong') }),
  z.object({
    op: z.literal('error'),
    id: z.string().optional(),
    status: z.number(),
    title: z.string(),
    detail: z.string(),
  }),
]);
export type DownFrame = z.infer<typeof downFrameSchema>;
export type ErrorFrame = Extract<DownFrame, { op: 'error' }>;

export type UpFrame =
  | { op: 'subscribe'; id: string; users: string[] }
  | { op: 'unsubscribe'; id: string; users: string[] }
  | { op: 'ping' };

/** `POST /v1/installations/{id}/presence/snapshot`'s answer. */
export const snapshotResponseSchema = z.object({ presences: z.array(presenceSchema) });
