/**
 * The suite's session: who may open one, and the frames it sends. A bad frame gets an `error`
 * frame and changes nothing; the session stays open.
 */
import * as z from 'zod/mini';
import { ForbiddenError, GoneError, ValidationError } from '../errors';
import { assertHomeRegion } from '../licensing/home-region';
import type { Installation } from '../licensing/model';
import { need, type PresenceDeps } from './deps';
import {
  maxSessionSeconds,
  maxUsersPerInstallation,
  snapshotRequestSchema,
  upFrameSchema,
  type DownFrame,
  type Presence,
  type UpFrame,
} from './frames';
import { GraphGrantRevokedError, GraphThrottledError, type DirectoryUser } from './ports';
import type { SessionRecord, WatchedUser } from './store';
import { coverUsers, tenantGraph } from './subscriptions';
import { verifiedAgainst, type SignatureCheck } from '../licensing/signature-check';

/** The installation may use Presence: active, its account's home region, Presence on, a tenant connected. */
async function admit(deps: PresenceDeps, installationId: string, verify: SignatureCheck) {
  const licensing = need(deps, 'licensing');
  // An unknown installation is refused as a bad signature: nothing tells which ids exist.
  const installation: Installation = await verifiedAgainst(await licensing.getInstallation(installationId), verify);
  if (installation.status !== 'active') throw new GoneError(`Installation ${installationId} is deactivated.`);
  const account = await licensing.getAccount(installation.accountId);
  if (!account) throw new GoneError(`Installation ${installationId} has no account.`);
  if (deps.here) assertHomeRegion(account.region, deps.here);
  const presence = await deps.store.getAccount(account.accountId);
  if (!presence?.enabled) throw new ForbiddenError('The Presence Service is off for this account.');
  if (!presence.tenant || presence.tenant.grantRevokedAt)
    throw new ForbiddenError('No Microsoft 365 tenant is connected to this account: connect one in the portal.');
  return { installation, presence };
}

/** `$connect`: admits the installation; a session it had before is closed (one session per installation). */
export async function openSession(
  deps: PresenceDeps,
  input: { connectionId: string; installationId: string; verify: SignatureCheck },
): Promise<SessionRecord> {
  const { installation } = await admit(deps, input.installationId, input.verify);
  const now = deps.clock.now();
  const earlier = (await deps.store.listSessions(installation.accountId)).filter(
    (s) => s.installationId === installation.installationId && s.connectionId !== input.connectionId,
  );
  for (const old of earlier) {
    await need(deps, 'channel').close(old.connectionId);
    await deps.store.deleteSession(old.connectionId);
  }
  const session: SessionRecord = {
    connectionId: input.connectionId,
    installationId: installation.installationId,
    accountId: installation.accountId,
    connectedAt: now.toISOString(),
    users: 0,
    endsBy: new Date(now.getTime() + maxSessionSeconds * 1000).toISOString(),
  };
  await deps.store.putSession(session);
  return session;
}

export async function closeSession(deps: PresenceDeps, connectionId: string): Promise<void> {
  await deps.store.deleteSession(connectionId);
}

function errorFrame(status: number, title: string, detail: string, id?: string): DownFrame {
  return { op: 'error', ...(id !== undefined && { id }), status, title, detail };
}

function parseFrame(body: string | undefined): { frame?: UpFrame; error?: DownFrame } {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { error: errorFrame(400, 'Frame is not JSON', 'Each frame is one JSON object, e.g. {"op":"ping"}.') };
  }
  const parsed = upFrameSchema.safeParse(json);
  if (parsed.success) return { frame: parsed.data };
  const id = z.object({ id: z.string().check(z.maxLength(64)) }).safeParse(json);
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  return {
    error: errorFrame(
      400,
      'Frame is not valid',
      `${path ? `${path}: ` : ''}${issue?.message ?? 'not a frame'} (ops: subscribe, unsubscribe, ping).`,
      id.success ? id.data.id : undefined,
    ),
  };
}

const presenceOf = (user: WatchedUser): Presence | undefined => user.presence && { user: user.upn, ...user.presence };

/** One frame from the suite; the answers go down the session in order. */
export async function handleFrame(deps: PresenceDeps, connectionId: string, body: string | undefined): Promise<void> {
  const channel = need(deps, 'channel');
  const send = (frame: DownFrame) => channel.send(connectionId, frame);
  const { frame, error } = parseFrame(body);
  if (!frame) {
    await send(error as DownFrame);
    return;
  }
  if (frame.op === 'ping') {
    await send({ op: 'pong' });
    return;
  }
  const session = await deps.store.getSession(connectionId);
  if (!session) {
    await send(errorFrame(410, 'Session is gone', 'Reconnect and subscribe again.', frame.id));
    await channel.close(connectionId);
    return;
  }
  try {
    if (frame.op === 'subscribe') await subscribe(deps, session, frame.id, frame.users, send);
    else await unsubscribe(deps, session, frame.id, frame.users, send);
  } catch (failure) {
    if (failure instanceof GraphThrottledError)
      await send(
        errorFrame(
          503,
          'Microsoft Graph is busy',
          `Microsoft asked to wait ${failure.retryAfterSeconds} s; send the frame again after that.`,
          frame.id,
        ),
      );
    else if (failure instanceof GraphGrantRevokedError)
      await send(
        errorFrame(
          503,
          'Microsoft 365 connection lost',
          'The tenant withdrew its consent or the grant expired: an administrator must connect Microsoft 365 again in the portal.',
          frame.id,
        ),
      );
    else throw failure;
  }
}

async function subscribe(
  deps: PresenceDeps,
  session: SessionRecord,
  id: string,
  upns: readonly string[],
  send: (frame: DownFrame) => Promise<boolean>,
) {
  const wanted = [...new Set(upns)];
  const already = new Set((await deps.store.watchedBy(session.connectionId)).map((u) => u.upn));
  const fresh = wanted.filter((upn) => !already.has(upn));
  if (already.size + fresh.length > maxUsersPerInstallation) {
    await send(
      errorFrame(
        400,
        'Too many users',
        `An installation watches at most ${maxUsersPerInstallation} users; it watches ${already.size} and this frame adds ${fresh.length}.`,
        id,
      ),
    );
    return;
  }
  const { graph, presence } = await tenantGraph(deps, session.accountId);
  const resolved = await resolve(deps, session.accountId, wanted, graph);
  const found = new Set(resolved.map((u) => u.upn));
  const unknown = wanted.filter((upn) => !found.has(upn));
  const watched = await deps.store.addWatches(session, resolved);
  const users = already.size + resolved.filter((u) => !already.has(u.upn)).length;
  await deps.store.putSession({ ...session, users });
  await send({ op: 'ack', id, subscribed: users, ...(unknown.length > 0 && { unknown }) });
  await coverUsers(deps, session.accountId, presence, graph, watched);
  await send({ op: 'snapshot', presences: await presences(deps, session.accountId, watched, graph) });
}

async function unsubscribe(
  deps: PresenceDeps,
  session: SessionRecord,
  id: string,
  upns: readonly string[],
  send: (frame: DownFrame) => Promise<boolean>,
) {
  const leaving = new Set(upns);
  const watched = await deps.store.watchedBy(session.connectionId);
  const gone = watched.filter((u) => leaving.has(u.upn));
  await deps.store.removeWatches(
    session,
    gone.map((u) => u.id),
  );
  const users = watched.length - gone.length;
  await deps.store.putSession({ ...session, users });
  await send({ op: 'ack', id, subscribed: users });
}

/** UPN → user id: the cache first, Graph for the rest (unknown UPNs are left out). */
export async function resolve(
  deps: PresenceDeps,
  accountId: string,
  upns: readonly string[],
  graph: { resolveUsers(upns: readonly string[]): Promise<DirectoryUser[]> },
): Promise<DirectoryUser[]> {
  const cached = await deps.store.cachedUsers(accountId, upns);
  const known = new Set(cached.map((u) => u.upn));
  const missing = upns.filter((upn) => !known.has(upn));
  if (missing.length === 0) return cached;
  const looked = await graph.resolveUsers(missing);
  deps.metrics.count('presenceGraphReads');
  await deps.store.cacheUsers(accountId, looked);
  return [...cached, ...looked];
}

/** The users' presence: stored ones as they are, the rest read from Graph in one call per 650. */
async function presences(
  deps: PresenceDeps,
  accountId: string,
  users: readonly WatchedUser[],
  graph: { getPresences(ids: readonly string[]): Promise<{ id: string; availability: string; activity: string }[]> },
): Promise<Presence[]> {
  const out: Presence[] = [];
  const unread: WatchedUser[] = [];
  for (const user of users) {
    const known = presenceOf(user);
    if (known) out.push(known);
    else unread.push(user);
  }
  if (unread.length > 0) {
    const at = deps.clock.now().toISOString();
    const read = await graph.getPresences(unread.map((u) => u.id));
    deps.metrics.count('presenceGraphReads');
    const upnOf = new Map(unread.map((u) => [u.id, u.upn]));
    for (const p of read) {
      const upn = upnOf.get(p.id);
      if (!upn) continue;
      await deps.store.recordPresence(accountId, p, at);
      out.push({ user: upn, availability: p.availability, activity: p.activity, at });
    }
  }
  return out;
}

/** POST /v1/installations/{id}/presence/snapshot: the same snapshot for a suite without WebSockets. */
export async function snapshot(
  deps: PresenceDeps,
  input: { installationId: string; verify: SignatureCheck; body: () => unknown },
): Promise<{ presences: Presence[]; unknown: string[] }> {
  // The signature first: an unsigned request is a 401 whatever its body.
  const { installation } = await admit(deps, input.installationId, input.verify);
  const parsed = snapshotRequestSchema.safeParse(input.body());
  if (!parsed.success)
    throw new ValidationError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const { graph } = await tenantGraph(deps, installation.accountId);
  const wanted = [...new Set(parsed.data.users)];
  const resolved = await resolve(deps, installation.accountId, wanted, graph);
  const found = new Set(resolved.map((u) => u.upn));
  // Read, not stored: nothing subscribes to these users, so nothing may keep their presence.
  const stored = new Map(
    (
      await deps.store.getWatchedUsers(
        installation.accountId,
        resolved.map((u) => u.id),
      )
    ).map((u) => [u.id, u]),
  );
  const at = deps.clock.now().toISOString();
  const toRead = resolved.filter((u) => !stored.get(u.id)?.presence);
  const read = toRead.length > 0 ? await graph.getPresences(toRead.map((u) => u.id)) : [];
  if (toRead.length > 0) deps.metrics.count('presenceGraphReads');
  const readById = new Map(read.map((p) => [p.id, p]));
  const presences: Presence[] = [];
  for (const user of resolved) {
    const known = stored.get(user.id);
    const kept = known && presenceOf(known);
    if (kept) presences.push(kept);
    else {
      const p = readById.get(user.id);
      if (p) presences.push({ user: user.upn, availability: p.availability, activity: p.activity, at });
    }
  }
  return { presences, unknown: wanted.filter((upn) => !found.has(upn)) };
}
