/**
 * The Presence session of the suite's Attendant Console: one WebSocket to the home region's presence
 * endpoint, its upgrade signed like every agent request, through the configured proxy. It keeps the
 * set of users it was asked to watch, pings within the cloud's idle limit, and after any close or
 * failure reconnects with backoff and subscribes everything again. `snapshot()` is the same read
 * over HTTP, for a suite whose proxy will not carry WebSockets.
 */
import type { KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Agent, Dispatcher, WebSocket } from 'undici';
import { UcxClient } from './client';
import {
  MAX_USERS_PER_FRAME,
  MAX_USERS_PER_INSTALLATION,
  downFrameSchema,
  inBatches,
  normalUpn,
  type ErrorFrame,
  type Presence,
  type UpFrame,
} from './presence-frames';
import { backoffDelayMs, type Random } from './schedule';
import { followableEndpoint } from './regions';
import { signRequest } from './signing';
import { AGENT_USER_AGENT, proxyDispatcher, proxyFor } from './transport';

export type { ErrorFrame, Presence } from './presence-frames';

/** A ping every 4 minutes: the cloud closes a session idle for 10. */
export const PING_INTERVAL_MS = 4 * 60_000;
/** Reconnection backoff, full jitter: the first ceiling and the cap. */
export const RECONNECT_BACKOFF = { baseSeconds: 1, capSeconds: 60 } as const;
/** A session open this long resets the backoff: the next failure waits at most the first ceiling again. */
export const STABLE_SESSION_MS = 60_000;
/** An upgrade that has not answered in this long is given up and retried. */
export const CONNECT_TIMEOUT_MS = 30_000;
/** 401 (signature, clock) and 404 (unknown installation) are retried this many times in a row, then final. */
export const MAX_REFUSED_ATTEMPTS = 5;

/** `connecting` (first time or again after a failure), `open`, `closed` by `close()`, `refused` for good. */
export type SessionState = 'connecting' | 'open' | 'closed' | 'refused';

export interface StateChange {
  state: SessionState;
  /** the presence endpoint the session is (or was) at */
  endpoint: string;
  /** what happened, in words: the close, the failure or the refusal */
  reason?: string;
  /** the HTTP status the cloud refused the upgrade with */
  status?: number;
  /** after a failure: the wait before the next attempt */
  retryInMs?: number;
  /** after a failure: failures in a row */
  attempt?: number;
}

/** The cloud's answer to a subscribe or unsubscribe frame. */
export interface Ack {
  id: string;
  op: 'subscribe' | 'unsubscribe';
  /** users the installation is subscribed to in all */
  subscribed: number;
  /** users of the frame the tenant does not know (they stay watched: they may be created later) */
  unknown: string[];
}

/**
 * Both `snapshot` and `resync` carry each user's current presence: merge them by user. A `resync`
 * says changes may have been missed before it: the cloud could not fill a gap (`cloud`), or the
 * session was reconnected and everything subscribed again (`reconnect`, one event per frame of at
 * most 1,000 users).
 */
export interface PresenceEvents {
  presence: [updates: Presence[]];
  snapshot: [presences: Presence[]];
  resync: [presences: Presence[], cause: 'cloud' | 'reconnect'];
  ack: [ack: Ack];
  /** an error frame: the cloud refused one frame; the session stays open. Emitted only when listened to. */
  error: [frame: ErrorFrame];
  state: [change: StateChange];
  /** the session ended for good: `close()` or a final refusal */
  close: [];
}

/** What the session needs of timers; tests pass a fake one and move it by hand. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PresenceSessionOptions {
  /** the home region's presence endpoint: `wss://…` (`https://…` is taken to mean the same) */
  endpoint: string;
  installationId: string;
  /** the installation's Ed25519 key: it signs the upgrade and the HTTP snapshot */
  privateKey: KeyObject;
  /** `http://user:pass@host:port`; default the environment (`HTTPS_PROXY`, `NO_PROXY`…); null: none */
  proxy?: string | null;
  /** how to reach the cloud, instead of one made from `proxy` (the caller closes it) */
  dispatcher?: Dispatcher;
  /** the home region's API base URL, for `snapshot()` over HTTP */
  api?: string;
  now?: () => Date;
  random?: Random;
  timers?: Timers;
  pingIntervalMs?: number;
  connectTimeoutMs?: number;
  userAgent?: string;
}

/** A user list the session will not take: not UPNs, or more than an installation may watch. */
export class PresenceUsersError extends Error {
  constructor(
    readonly reason: 'not-a-upn' | 'too-many',
    message: string,
  ) {
    super(message);
    this.name = 'PresenceUsersError';
  }
}

/** UPNs normalised (trimmed, lower-cased) and without repeats; throws `PresenceUsersError` for one that is not a UPN. */
export function normalUpns(upns: Iterable<string>): string[] {
  const normal = new Set<string>();
  const bad: string[] = [];
  for (const text of upns) {
    const upn = normalUpn(text);
    if (upn) normal.add(upn);
    else bad.push(text);
  }
  if (bad.length > 0)
    throw new PresenceUsersError(
      'not-a-upn',
      `not a user principal name (name@domain): ${bad
        .slice(0, 5)
        .map((b) => JSON.stringify(b))
        .join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}`,
    );
  return [...normal];
}

/** Throws `PresenceUsersError` when `already` watched and `count` more exceed what an installation may watch. */
export function assertUserLimit(count: number, already = 0): void {
  if (already + count > MAX_USERS_PER_INSTALLATION)
    throw new PresenceUsersError(
      'too-many',
      `an installation watches at most ${MAX_USERS_PER_INSTALLATION.toLocaleString('en-US')} users; ${already > 0 ? `${already} watched and ${count} more asked` : `${count} asked`}`,
    );
}

/** The presence endpoint as a WebSocket URL with `?installation=<id>`. */
export function sessionUrl(endpoint: string, installationId: string): URL {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:')
    throw new TypeError(`the presence endpoint must be a wss:// (or ws://) URL, got ${endpoint}`);
  url.searchParams.set('installation', installationId);
  return url;
}

/** The upgrade's answer when it was not 101: its status and body, which the WebSocket API does not expose. */
interface Refusal {
  status: number;
  body: string;
}

/**
 * Passes requests to `inner` and keeps the answer of an upgrade that was refused, so a 403 or a
 * 421 can be told apart from a network failure. The status line and a problem+json body arrive
 * together in practice; a body that came later is simply missing.
 */
class HandshakeRecorder extends Dispatcher {
  refusal: Refusal | undefined;
  /** why the upgrade got no answer (the WebSocket API keeps only an empty error event) */
  failure: Error | undefined;

  constructor(private readonly inner: Dispatcher) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (!options.upgrade) return this.inner.dispatch(options, handler);
    const chunks: Buffer[] = [];
    const seen = (status: number) => {
      this.refusal = { status, body: '' };
    };
    const data = (chunk: Buffer) => {
      chunks.push(Buffer.from(chunk));
      if (this.refusal) this.refusal.body = Buffer.concat(chunks).toString('utf8');
    };
    // the status and the body come as (statusCode, …) to the legacy callbacks, (controller, statusCode, …) to the new
    const watchers: Record<string, (args: unknown[]) => void> = {
      onHeaders: (args) => seen(args[0] as number),
      onResponseStart: (args) => seen(args[1] as number),
      onData: (args) => data(args[0] as Buffer),
      onResponseData: (args) => data(args[1] as Buffer),
      onError: (args) => {
        this.failure = args[0] as Error;
      },
      onResponseError: (args) => {
        this.failure = args[1] as Error;
      },
    };
    const recording = new Proxy(handler, {
      get(target, property, receiver) {
        const original = Reflect.get(target, property, receiver) as unknown;
        const watch = typeof property === 'string' ? watchers[property] : undefined;
        if (typeof original !== 'function' || !watch) return original;
        return (...args: unknown[]) => {
          watch(args);
          return (original as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return this.inner.dispatch(options, recording);
  }
}

function problemOf(body: string): { detail?: string; title?: string; homeEndpoint?: string } {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { detail, title, homeEndpoint } = parsed as Record<string, unknown>;
    return {
      ...(typeof detail === 'string' ? { detail } : {}),
      ...(typeof title === 'string' ? { title } : {}),
      ...(typeof homeEndpoint === 'string' ? { homeEndpoint } : {}),
    };
  } catch {
    return {};
  }
}

/** The cause of a failed opening, in words: the proxy's refusal, a refused connection… */
function describeFailure(failure: unknown): string {
  if (!(failure instanceof Error)) return 'no answer';
  const cause = (failure as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : failure;
  const code = (inner as { code?: string }).code;
  return [code, inner.message].filter(Boolean).join(' ') || 'no answer';
}

export class PresenceSession extends EventEmitter<PresenceEvents> {
  private readonly watched = new Set<string>();
  private readonly now: () => Date;
  private readonly random: Random;
  private readonly timers: Timers;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private endpointNow: string;
  private current: SessionState = 'closed';
  private started = false;
  private released = false;
  private stopped = false;
  private socket: WebSocket | undefined;
  /** bumped for each attempt: events of an older socket are ignored */
  private generation = 0;
  private opens = 0;
  private openedAt: number | undefined;
  private failures = 0;
  private refusals = 0;
  private followedHome = false;
  private frameSeq = 0;
  private awaitingPong = false;
  private readonly acksAwaited = new Map<string, 'subscribe' | 'unsubscribe'>();
  /** subscribe frames sent on this socket whose snapshot has not come, in order, and whether it is a resync */
  private snapshotsAwaited: { id: string; resync: boolean }[] = [];
  private retryTimer: unknown;
  private pingTimer: unknown;
  private connectTimer: unknown;

  constructor(private readonly options: PresenceSessionOptions) {
    super();
    const key = options.privateKey;
    if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519')
      throw new TypeError('PresenceSession: privateKey must be an Ed25519 private key');
    sessionUrl(options.endpoint, options.installationId); // a bad endpoint fails here, not at each attempt
    this.endpointNow = options.endpoint;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.timers = options.timers ?? realTimers;
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      const proxy = proxyFor(new URL(options.endpoint.replace(/^ws/, 'http')).href, options.proxy);
      this.dispatcher = proxy ? proxyDispatcher(proxy, 1) : new Agent({ connections: 1 });
      this.ownsDispatcher = true;
    }
  }

  /** The session's state now. */
  get state(): SessionState {
    return this.current;
  }

  /** The presence endpoint in use (another than configured once a 421 moved it). */
  get endpoint(): string {
    return this.endpointNow;
  }

  /** The users watched, lower-cased. */
  get users(): string[] {
    return [...this.watched];
  }

  /** Opens the session; it stays open (reconnecting as needed) until `close()` or a final refusal. */
  connect(): this {
    if (this.started) return this;
    this.started = true;
    this.setState({ state: 'connecting' });
    void this.attempt();
    return this;
  }

  /**
   * Watches `upns` too; the new ones are sent at once when open (in frames of at most 1,000), else
   * on open. Returns how many were new. Throws `PresenceUsersError` for a non-UPN or beyond 10,000.
   */
  subscribe(upns: Iterable<string>): number {
    const added = normalUpns(upns).filter((upn) => !this.watched.has(upn));
    assertUserLimit(added.length, this.watched.size);
    for (const upn of added) this.watched.add(upn);
    if (this.current === 'open') this.sendSubscribes(added, false);
    return added.length;
  }

  /** Stops watching `upns`; returns how many were watched. */
  unsubscribe(upns: Iterable<string>): number {
    const removed = normalUpns(upns).filter((upn) => this.watched.delete(upn));
    if (this.current === 'open')
      for (const users of inBatches(removed)) this.send({ op: 'unsubscribe', id: this.nextId('u'), users });
    return removed.length;
  }

  /**
   * The presence of `upns` now, over HTTP (`POST /v1/installations/{id}/presence/snapshot`, signed,
   * at most 1,000 per request): for a suite whose proxy will not carry WebSockets. Needs `api`.
   */
  async snapshot(upns: Iterable<string>): Promise<Presence[]> {
    if (!this.options.api) throw new TypeError('PresenceSession.snapshot needs the option api (the API base URL)');
    const users = normalUpns(upns);
    assertUserLimit(users.length);
    const client = new UcxClient(this.options.api, {
      dispatcher: this.dispatcher,
      ...(this.options.userAgent ? { userAgent: this.options.userAgent } : {}),
    });
    try {
      return await client.presenceSnapshot(this.options.installationId, this.options.privateKey, users);
    } finally {
      await client.close();
    }
  }

  /** Closes the session for good (state `closed`, then `close`), waiting a moment for the cloud to see it. */
  async close(): Promise<void> {
    const socket = this.socket;
    if (!this.stopped) this.stop({ state: 'closed', reason: 'closed by the agent' });
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((done) => {
        const grace = setTimeout(done, 2_000);
        grace.unref();
        socket.addEventListener(
          'close',
          () => {
            clearTimeout(grace);
            done();
          },
          { once: true },
        );
      });
    }
    await this.release();
  }

  /** Lets go of the dispatcher the session made (once). */
  private release(): Promise<void> {
    if (!this.ownsDispatcher || this.released) return Promise.resolve();
    this.released = true;
    return this.dispatcher.destroy().catch(() => {});
  }

  private setState(change: Omit<StateChange, 'endpoint'>): void {
    this.current = change.state;
    this.emit('state', { ...change, endpoint: this.endpointNow });
  }

  private nextId(prefix: 's' | 'u'): string {
    this.frameSeq += 1;
    return `${prefix}${this.frameSeq}`;
  }

  private send(frame: UpFrame): void {
    if (frame.op !== 'ping') this.acksAwaited.set(frame.id, frame.op);
    this.socket?.send(JSON.stringify(frame));
  }

  /** Subscribe frames for `users`; their snapshots are emitted as `resync` when `resync` (after a reconnect). */
  private sendSubscribes(users: string[], resync: boolean): void {
    for (const batch of inBatches(users, MAX_USERS_PER_FRAME)) {
      const id = this.nextId('s');
      this.snapshotsAwaited.push({ id, resync });
      this.send({ op: 'subscribe', id, users: batch });
    }
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const url = sessionUrl(this.endpointNow, this.options.installationId);
    const signedAs = new URL(url);
    signedAs.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    let headers: Record<string, string>;
    try {
      // signed afresh for each attempt: `created` must be within 300 s of the cloud's clock
      headers = await signRequest(
        { method: 'GET', url: signedAs.href, headers: { 'user-agent': this.options.userAgent ?? AGENT_USER_AGENT } },
        { keyid: this.options.installationId, privateKey: this.options.privateKey },
        { created: this.now() },
      );
    } catch (error) {
      if (generation === this.generation) this.failed(`the upgrade could not be signed: ${(error as Error).message}`);
      return;
    }
    if (this.stopped || generation !== this.generation) return;
    const recorder = new HandshakeRecorder(this.dispatcher);
    const socket = new WebSocket(url.href, { dispatcher: recorder, headers });
    this.socket = socket;
    this.connectTimer = this.timers.setTimeout(
      () => this.dropped(generation, `no answer to the upgrade within ${Math.round(this.connectTimeoutMs / 1000)} s`),
      this.connectTimeoutMs,
    );
    socket.addEventListener('open', () => this.opened(generation));
    socket.addEventListener('message', (event) => this.received(generation, event.data));
    socket.addEventListener('error', () => {}); // the close that follows says what happened
    socket.addEventListener('close', (event) =>
      this.closed(generation, event.code, event.reason, recorder.refusal, recorder.failure),
    );
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  }

  private opened(generation: number): void {
    if (generation !== this.generation) return;
    this.timers.clearTimeout(this.connectTimer);
    this.openedAt = this.now().getTime();
    this.refusals = 0;
    this.opens += 1;
    this.awaitingPong = false;
    this.acksAwaited.clear();
    this.snapshotsAwaited = [];
    this.setState({ state: 'open' });
    this.sendSubscribes([...this.watched], this.opens > 1);
    this.schedulePing(generation);
  }

  private schedulePing(generation: number): void {
    this.pingTimer = this.timers.setTimeout(() => {
      if (generation !== this.generation) return;
      if (this.awaitingPong) {
        this.dropped(generation, 'no answer to the last ping');
        return;
      }
      this.awaitingPong = true;
      this.send({ op: 'ping' });
      this.schedulePing(generation);
    }, this.options.pingIntervalMs ?? PING_INTERVAL_MS);
  }

  private received(generation: number, data: unknown): void {
    if (generation !== this.generation || typeof data !== 'string') return;
    this.awaitingPong = false; // any frame shows the session is alive
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = downFrameSchema.safeParse(json);
    if (!parsed.success) return; // an op of a newer cloud, or a frame this agent cannot read
    const frame = parsed.data;
    switch (frame.op) {
      case 'ack': {
        const op = this.acksAwaited.get(frame.id) ?? 'subscribe';
        this.acksAwaited.delete(frame.id);
        this.emit('ack', { id: frame.id, op, subscribed: frame.subscribed, unknown: frame.unknown ?? [] });
        return;
      }
      case 'snapshot': {
        const awaited = this.snapshotsAwaited.shift();
        if (awaited?.resync) this.emit('resync', frame.presences, 'reconnect');
        else this.emit('snapshot', frame.presences);
        return;
      }
      case 'presence':
        this.emit('presence', frame.updates);
        return;
      case 'resync':
        this.emit('resync', frame.presences, 'cloud');
        return;
      case 'pong':
        return;
      case 'error': {
        if (frame.id !== undefined) {
          this.acksAwaited.delete(frame.id);
          this.snapshotsAwaited = this.snapshotsAwaited.filter((s) => s.id !== frame.id);
        }
        if (this.listenerCount('error') > 0) this.emit('error', frame);
        return;
      }
    }
  }

  private closed(
    generation: number,
    code: number,
    reason: string,
    refusal: Refusal | undefined,
    failure: unknown,
  ): void {
    if (generation !== this.generation) return;
    this.clearTimers();
    this.socket = undefined;
    if (this.stopped) return;
    if (this.openedAt === undefined && refusal && refusal.status !== 101) {
      this.refused(refusal);
      return;
    }
    this.failed(
      this.openedAt === undefined
        ? `the session could not be opened: ${describeFailure(failure)}`
        : `the session closed (${code}${reason ? ` ${reason}` : ''})`,
    );
  }

  /** The upgrade was answered with a status: some are final, 421 moves once, the rest are retried. */
  private refused({ status, body }: Refusal): void {
    const problem = problemOf(body);
    const said = problem.detail ?? problem.title ?? 'no detail';
    const reason = `the cloud refused the session (${status}): ${said}`;
    if (status === 403 || status === 410) {
      this.stop({ state: 'refused', status, reason });
      return;
    }
    if (status === 421) {
      if (problem.homeEndpoint && followableEndpoint(problem.homeEndpoint) && !this.followedHome) {
        this.followedHome = true;
        this.endpointNow = problem.homeEndpoint;
        this.setState({ state: 'connecting', status, reason: `the cloud names ${problem.homeEndpoint} as home` });
        void this.attempt();
      } else this.stop({ state: 'refused', status, reason });
      return;
    }
    if (status === 401 || status === 404) {
      this.refusals += 1;
      if (this.refusals >= MAX_REFUSED_ATTEMPTS) {
        this.stop({ state: 'refused', status, reason: `${reason} (${this.refusals} times in a row)` });
        return;
      }
    }
    this.failed(reason, status);
  }

  private failed(reason: string, status?: number): void {
    if (this.openedAt !== undefined && this.now().getTime() - this.openedAt >= STABLE_SESSION_MS) this.failures = 0;
    this.openedAt = undefined;
    this.failures += 1;
    const delay = backoffDelayMs(this.failures, { ...RECONNECT_BACKOFF, random: this.random });
    this.setState({
      state: 'connecting',
      reason,
      ...(status ? { status } : {}),
      retryInMs: delay,
      attempt: this.failures,
    });
    this.retryTimer = this.timers.setTimeout(() => void this.attempt(), delay);
  }

  /** The socket is alive to the OS but not to us (no upgrade answer, no pong): leave it and start again. */
  private dropped(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    this.generation += 1;
    this.clearTimers();
    this.socket?.close();
    this.socket = undefined;
    this.failed(reason);
  }

  private stop(change: Omit<StateChange, 'endpoint'>): void {
    this.stopped = true;
    this.generation += 1;
    this.clearTimers();
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000);
    this.setState(change);
    this.emit('close');
    if (change.state === 'refused') void this.release(); // nothing more to send: `close()` need not be called
  }

  private clearTimers(): void {
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.pingTimer);
    this.timers.clearTimeout(this.connectTimer);
  }
}
