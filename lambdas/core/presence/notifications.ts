/**
 * Graph's change notifications in, presence frames out. The endpoint answers Graph fast: it checks
 * `clientState`, verifies and decrypts the data, keeps what changed and queues the fan-out; the
 * fan-out posts one frame per session and forgets the sessions that are gone.
 */
import * as z from 'zod/mini';
import { need, type PresenceDeps } from './deps';
import type { DownFrame, Presence } from './frames';
import type { RichNotification } from './ports';
import type { FanOutMessage, PresenceUpdate } from './store';
import { clientStateMatches, handleLifecycle } from './subscriptions';

/** Graph sends a validation token when a subscription is created: it must be echoed as text/plain. */
export const validationQuerySchema = z.object({ validationToken: z.string().check(z.minLength(1), z.maxLength(1024)) });

const encryptedContentSchema = z.object({
  data: z.string().check(z.maxLength(64 * 1024)),
  dataKey: z.string().check(z.maxLength(4096)),
  dataSignature: z.string().check(z.maxLength(512)),
  encryptionCertificateId: z.string().check(z.maxLength(256)),
  encryptionCertificateThumbprint: z.string().check(z.maxLength(256)),
});

const notificationSchema = z.object({
  subscriptionId: z.string().check(z.maxLength(128)),
  clientState: z.optional(z.string().check(z.maxLength(256))),
  changeType: z.string().check(z.maxLength(64)),
  resource: z.string().check(z.maxLength(2048)),
  tenantId: z.optional(z.string().check(z.maxLength(64))),
  encryptedContent: z.optional(encryptedContentSchema),
});

export const notificationsBodySchema = z.object({
  value: z.array(z.unknown()).check(z.maxLength(1000)),
  validationTokens: z.optional(z.array(z.string())),
});

const lifecycleSchema = z.object({
  subscriptionId: z.string().check(z.maxLength(128)),
  clientState: z.optional(z.string().check(z.maxLength(256))),
  lifecycleEvent: z.string().check(z.maxLength(64)),
});

export interface NotificationReport {
  accepted: number;
  dropped: number;
  updates: number;
}

/** A batch of change notifications: each judged alone, a bad one dropped (and counted), never fatal. */
export async function receiveNotifications(
  deps: PresenceDeps,
  body: z.infer<typeof notificationsBodySchema>,
): Promise<NotificationReport> {
  const report: NotificationReport = { accepted: 0, dropped: 0, updates: 0 };
  const decryptor = need(deps, 'decryptor');
  const byAccount = new Map<string, PresenceUpdate[]>();
  const at = deps.clock.now().toISOString();
  for (const raw of body.value) {
    const parsed = notificationSchema.safeParse(raw);
    const notification: RichNotification | undefined = parsed.success ? parsed.data : undefined;
    const record = notification && (await deps.store.findSubscription(notification.subscriptionId));
    const presence =
      notification && record && clientStateMatches(record, notification.clientState)
        ? await decryptor.open(notification)
        : undefined;
    if (!record || !presence) {
      report.dropped += 1;
      continue;
    }
    report.accepted += 1;
    const update = await deps.store.recordPresence(record.accountId, presence, at);
    if (!update) continue;
    const list = byAccount.get(record.accountId) ?? [];
    list.push(update);
    byAccount.set(record.accountId, list);
  }
  const queue = need(deps, 'queue');
  for (const [accountId, updates] of byAccount) {
    await queue.send({ kind: 'presence', accountId, updates });
    report.updates += updates.length;
  }
  deps.metrics.count('presenceNotifications', report.accepted);
  if (report.dropped > 0) deps.metrics.count('presenceNotificationsDropped', report.dropped);
  return report;
}

export async function receiveLifecycle(
  deps: PresenceDeps,
  body: z.infer<typeof notificationsBodySchema>,
): Promise<{ handled: number; dropped: number }> {
  const out = { handled: 0, dropped: 0 };
  for (const raw of body.value) {
    const parsed = lifecycleSchema.safeParse(raw);
    if (!parsed.success || (await handleLifecycle(deps, parsed.data)) === 'dropped') out.dropped += 1;
    else out.handled += 1;
  }
  return out;
}

const toPresence = (u: { upn: string; availability: string; activity: string; at: string }): Presence => ({
  user: u.upn,
  availability: u.availability,
  activity: u.activity,
  at: u.at,
});

/** One queued message: a frame per watching session; a gone session is closed and forgotten. */
export async function fanOut(deps: PresenceDeps, message: FanOutMessage): Promise<{ sent: number; gone: number }> {
  const channel = need(deps, 'channel');
  const frames = new Map<string, DownFrame>();
  if (message.kind === 'notice') {
    for (const s of await deps.store.listSessions(message.accountId))
      frames.set(s.connectionId, { op: 'error', status: message.status, title: message.title, detail: message.detail });
  } else {
    const userIds = message.kind === 'presence' ? message.updates.map((u) => u.userId) : message.userIds;
    const watchers = await deps.store.watchersOf(message.accountId, userIds);
    const current =
      message.kind === 'presence'
        ? new Map(message.updates.map((u) => [u.userId, toPresence(u)]))
        : new Map(
            (await deps.store.getWatchedUsers(message.accountId, userIds)).flatMap((u) =>
              u.presence ? [[u.id, toPresence({ upn: u.upn, ...u.presence })] as const] : [],
            ),
          );
    const perSession = new Map<string, Presence[]>();
    for (const [userId, sessions] of watchers) {
      const p = current.get(userId);
      if (!p) continue;
      for (const id of sessions) perSession.set(id, [...(perSession.get(id) ?? []), p]);
    }
    for (const [id, list] of perSession)
      frames.set(
        id,
        message.kind === 'presence' ? { op: 'presence', updates: list } : { op: 'resync', presences: list },
      );
  }
  let sent = 0;
  let gone = 0;
  await Promise.all(
    [...frames].map(async ([connectionId, frame]) => {
      if (await channel.send(connectionId, frame)) sent += 1;
      else {
        gone += 1;
        await deps.store.deleteSession(connectionId);
      }
    }),
  );
  if (message.kind === 'presence') deps.metrics.count('presenceUpdatesSent', sent);
  return { sent, gone };
}
