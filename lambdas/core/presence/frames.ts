/** The Presence session's JSON text frames (DESIGN.md, "The Presence contract (v1)") and limits. */
import * as z from 'zod/mini';

/** subscriptions an installation may hold in all (DESIGN.md) */
export const maxUsersPerInstallation = 10_000;
/** UPNs in one subscribe, unsubscribe or snapshot request: the session's frames stay under API Gateway's 128 KB */
export const maxUsersPerFrame = 1_000;
/** sessions are closed when idle this long, and after `maxSessionSeconds` at most (API Gateway's limits) */
export const idleSessionSeconds = 600;
export const maxSessionSeconds = 7_200;

/** A user principal name, compared case-insensitively (Entra ID's rule): held lower-cased. */
export const upnSchema = z.pipe(
  z
    .string()
    .check(
      z.trim(),
      z.minLength(3),
      z.maxLength(256),
      z.regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'not a user principal name (name@domain)'),
    ),
  z.transform((upn: string) => upn.toLowerCase()),
);

const frameId = z.string().check(z.minLength(1), z.maxLength(64));
const users = z.array(upnSchema).check(z.minLength(1), z.maxLength(maxUsersPerFrame));

export const upFrameSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('subscribe'), id: frameId, users }),
  z.strictObject({ op: z.literal('unsubscribe'), id: frameId, users }),
  z.strictObject({ op: z.literal('ping') }),
]);
export type UpFrame = z.infer<typeof upFrameSchema>;

/** Availability and activity as Microsoft Graph spells them (an unknown new value passes through). */
export interface Presence {
  readonly user: string;
  readonly availability: string;
  readonly activity: string;
  /** when the cloud learnt it, ISO 8601 */
  readonly at: string;
}

export type DownFrame =
  | { op: 'ack'; id: string; subscribed: number; unknown?: string[] }
  | { op: 'snapshot'; presences: Presence[] }
  | { op: 'presence'; updates: Presence[] }
  | { op: 'resync'; presences: Presence[] }
  | { op: 'pong' }
  | { op: 'error'; id?: string; status: number; title: string; detail: string };

export const snapshotRequestSchema = z.strictObject({ users });
