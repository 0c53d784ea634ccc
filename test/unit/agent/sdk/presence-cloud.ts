/**
 * An in-test Presence cloud for the agent's session tests: an HTTP server whose WebSocket upgrade
 * (and `POST /v1/installations/{id}/presence/snapshot`) checks the agent's signature with the
 * cloud's own verification, and speaks DESIGN.md's frames. Its refusals, its presence changes and
 * its closes are driven by the test; every upgrade and frame is recorded. Fake timers too.
 */
import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';
import { WebSocketServer, type WebSocket } from 'ws';
import { identityOf } from '#agent/sdk/identity';
import type { Timers } from '#agent/sdk/presence';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { verifyAgentRequest } from '#lambdas/shared/agent-signature';

/** Waits (in real time, a few milliseconds a look) until `condition` holds; fails after `ms`. */
export async function eventually(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${ms} ms: ${condition.toString()}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

export const INSTALLATION_ID = 'inst_presence0000001';

/** The tenant's users: user1 … user50 at contoso.example, all Available until told otherwise. */
const KNOWN = new Set(Array.from({ length: 50 }, (_, i) => `user${i + 1}@contoso.example`));

export interface Upgrade {
  /** the path as received, query included */
  url: string;
  /** the signature checked out, and its keyid */
  verified: boolean;
  keyid?: string;
  refusedWith?: number;
}

export interface Refusal {
  status: number;
  body?: Record<string, unknown>;
}

/** A clock and timers the test moves by hand; the session's waits run only when `advance` reaches them. */
export class FakeTime implements Timers {
  private ms = Date.now();
  private seq = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void; delay: number }>();

  now = (): Date => new Date(this.ms);

  setTimeout(callback: () => void, ms: number): unknown {
    this.seq += 1;
    this.pending.set(this.seq, { at: this.ms + ms, callback, delay: ms });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** the delays of the timers waiting now, soonest first */
  waiting(): number[] {
    return [...this.pending.values()].sort((a, b) => a.at - b.at).map((t) => t.delay);
  }

  /** Moves the clock by `ms`, running each timer that comes due on the way. */
  advance(ms: number): void {
    const until = this.ms + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.ms = due[1].at;
      due[1].callback();
    }
    this.ms = until;
  }
}

export class PresenceCloud {
  readonly upgrades: Upgrade[] = [];
  /** frames received, parsed */
  readonly frames: Record<string, unknown>[] = [];
  readonly snapshotRequests: { users: string[]; verified: boolean }[] = [];
  /** the next upgrades are refused with these, one each; then `refuseAll`, if set */
  readonly refusals: Refusal[] = [];
  refuseAll: Refusal | undefined;
  /** false: pings go unanswered */
  answerPings = true;
  readonly sockets = new Set<WebSocket>();
  private readonly tcp = new Set<Socket>();
  private readonly subscribed = new Set<string>();
  private readonly presence = new Map<string, { availability: string; activity: string; at: string }>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly server: Server;

  private constructor(
    readonly publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string },
    readonly privateKey: KeyObject,
    private readonly now: () => Date,
  ) {
    this.server = createServer((req, res) => void this.http(req, res));
    this.server.on('connection', (socket) => {
      this.tcp.add(socket);
      socket.once('close', () => this.tcp.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket as Socket, head));
  }

  /**
   * A cloud on a free port, knowing one installation and its key (fresh unless given: the other
   * region knows the same installation); `now` is the clock it checks `created` against.
   */
  static async start(now: () => Date = () => new Date(), key?: KeyObject): Promise<PresenceCloud> {
    const privateKey = key ?? (await generateIdentityKeys()).privateKey;
    const cloud = new PresenceCloud((await identityOf(privateKey)).publicJwk, privateKey, now);
    await new Promise<void>((done) => cloud.server.listen(0, '127.0.0.1', done));
    return cloud;
  }

  get origin(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** the presence endpoint */
  get endpoint(): string {
    return `ws://${this.origin}/presence`;
  }

  /** the API base URL (the HTTP snapshot) */
  get api(): string {
    return `http://${this.origin}`;
  }

  /** Changes a user's presence and sends it to every session subscribed to the user. */
  setPresence(user: string, availability: string, activity: string, at: string): void {
    this.presence.set(user, { availability, activity, at });
    if (this.subscribed.has(user)) this.broadcast({ op: 'presence', updates: [{ user, availability, activity, at }] });
  }

  broadcast(frame: Record<string, unknown>): void {
    for (const socket of this.sockets) socket.send(JSON.stringify(frame));
  }

  /** Closes every session as the cloud does after 2 hours (1001 going away). */
  closeAll(code = 1001, reason = 'going away'): void {
    for (const socket of this.sockets) socket.close(code, reason);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    for (const socket of this.tcp) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private presenceOf(user: string) {
    const p = this.presence.get(user) ?? {
      availability: 'Available',
      activity: 'Available',
      at: '2026-12-04T22:00:00Z',
    };
    return { user, ...p };
  }

  private async verified(req: IncomingMessage, body: Uint8Array): Promise<string | undefined> {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
    );
    try {
      const { keyid } = await verifyAgentRequest(
        { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', headers, body },
        async (keyid) => (keyid === INSTALLATION_ID ? this.publicJwk : null),
        { now: this.now() },
      );
      return keyid;
    } catch {
      return undefined;
    }
  }

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const keyid = await this.verified(req, new Uint8Array(0));
    const installation = new URL(req.url ?? '/', 'http://x').searchParams.get('installation');
    const upgrade: Upgrade = { url: req.url ?? '', verified: keyid !== undefined, ...(keyid ? { keyid } : {}) };
    this.upgrades.push(upgrade);
    const refusal =
      keyid === undefined || installation !== keyid
        ? { status: 401, body: { title: 'Unauthorized', detail: 'the signature does not verify' } }
        : (this.refusals.shift() ?? this.refuseAll);
    if (refusal) {
      upgrade.refusedWith = refusal.status;
      const body = JSON.stringify({ type: 'about:blank', status: refusal.status, ...refusal.body });
      socket.end(
        `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => this.frame(ws, String(data)));
    });
  }

  private frame(ws: WebSocket, text: string): void {
    const frame = JSON.parse(text) as { op: string; id?: string; users?: string[] };
    this.frames.push(frame);
    if (frame.op === 'ping') {
      if (this.answerPings) ws.send(JSON.stringify({ op: 'pong' }));
    } else if (frame.op === 'subscribe' && frame.users) {
      for (const user of frame.users) this.subscribed.add(user);
      const known = frame.users.filter((u) => KNOWN.has(u));
      ws.send(
        JSON.stringify({
          op: 'ack',
          id: frame.id,
          subscribed: this.subscribed.size,
          unknown: frame.users.filter((u) => !KNOWN.has(u)),
        }),
      );
      ws.send(JSON.stringify({ op: 'snapshot', presences: known.map((u) => this.presenceOf(u)) }));
    } else if (frame.op === 'unsubscribe' && frame.users) {
      for (const user of frame.users) this.subscribed.delete(user);
      ws.send(JSON.stringify({ op: 'ack', id: frame.id, subscribed: this.subscribed.size }));
    } else {
      ws.send(JSON.stringify({ op: 'error', status: 400, title: 'Bad frame', detail: `unknown op ${frame.op}` }));
    }
  }

  private async http(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const keyid = await this.verified(req, body);
    const users = (JSON.parse(body.toString('utf8') || '{}') as { users?: string[] }).users ?? [];
    this.snapshotRequests.push({ users, verified: keyid !== undefined });
    if (req.method !== 'POST' || req.url !== `/v1/installations/${INSTALLATION_ID}/presence/snapshot`) {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
      return;
    }
    if (!keyid) {
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end('{"status":401}');
      return;
    }
    const presences = users.filter((u) => KNOWN.has(u)).map((u) => this.presenceOf(u));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ presences }));
  }
}

/** One request that reached the proxy: a CONNECT or a forwarded request, and whether its credentials were right. */
export interface Crossing {
  readonly method: string;
  /** host:port the client asked the proxy for */
  readonly target: string;
  readonly authorized: boolean;
}

/**
 * The npm `proxy` package in this process with basic auth `ucx:s3cret-pass`, recording what
 * crossed it (as test/integration/agent/proxy.test.ts runs it).
 */
export async function startProxy() {
  const proxyAuthorization = `Basic ${Buffer.from('ucx:s3cret-pass').toString('base64')}`;
  const crossings: Crossing[] = [];
  const sockets = new Set<Socket>();
  const proxy = createProxy(createServer());
  proxy.authenticate = (req) => {
    const authorized = req.headers['proxy-authorization'] === proxyAuthorization;
    const target = req.method === 'CONNECT' ? (req.url ?? '') : new URL(req.url ?? '').host;
    crossings.push({ method: req.method ?? '', target, authorized });
    return authorized;
  };
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  const port = (proxy.address() as AddressInfo).port;
  return {
    crossings,
    url: (password = 's3cret-pass') => `http://ucx:${password}@127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy(); // CONNECT tunnels stay open; close would wait on them
      await new Promise<void>((done) => proxy.close(() => done()));
    },
  };
}
