/**
 * A two-region cloud in memory for the agent SDK's unit tests, reached through the SDK's `connect`
 * seam instead of HTTP. Licensing is global (one installation, one licence, answered by both
 * regions); writes and telemetry are served at home only (421 elsewhere). A region can be taken
 * down (no answer) or made to fail with a status, and every request is recorded.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { Collector } from '#agent/collectors/types';
import { UcxAgent, type AgentOptions } from '#agent/sdk/agent';
import { UnreachableError } from '#agent/sdk/errors';
import { identityOf } from '#agent/sdk/identity';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { MemorySpool } from '#agent/sdk/spool';
import { MemoryStateStore } from '#agent/sdk/state';
import type { Connect, HttpTransport, Response } from '#agent/sdk/transport';
import type { BeatToSend, Jwks } from '#agent/sdk/types';

export const EU = 'https://eu.api.test';
export const US = 'https://us.api.test';
export const INSTALLATION_ID = 'inst_fake00000001';
export const NOW = new Date('2026-03-02T09:00:00Z');

/** A counter beat per collection, so each cycle has something to send. */
export function counterCollector(): Collector {
  let calls = 0;
  return {
    name: 'test:ivr',
    types: ['ucx.ivr'],
    collect: async () => [{ type: 'ucx.ivr', data: { activeCalls: ++calls } }],
  };
}

/** An agent of a fresh identity on `cloud`, at `NOW`, whose waits return at once and are recorded in `sleeps`. */
export async function agentOn(cloud: FakeCloud, options: Partial<AgentOptions> = {}) {
  const { privateKey } = await generateIdentityKeys();
  const state = new MemoryStateStore();
  const spool = new MemorySpool();
  const sleeps: number[] = [];
  const log: string[] = [];
  const agent = new UcxAgent({
    identity: await identityOf(privateKey),
    state,
    spool,
    collectors: [counterCollector()],
    endpoint: EU,
    connect: cloud.connect,
    now: () => NOW,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (line) => log.push(line),
    ...options,
  });
  return { agent, state, spool, sleeps, log };
}

/** `agentOn`, activated. */
export async function activatedOn(cloud: FakeCloud, options: Partial<AgentOptions> = {}) {
  const made = await agentOn(cloud, options);
  await made.agent.activate('UCX-FAKE-KEY', { suiteVersion: '2025.2.1', nodes: ['ucx-a'] });
  cloud.requests.length = 0;
  return made;
}

export interface RecordedRequest {
  endpoint: string;
  method: string;
  path: string;
}

type Region = 'eu' | 'us';

export interface LicenceProductClaims {
  product: string;
  capacity: number;
  kind: 'perpetual' | 'subscription';
  [field: string]: unknown;
}

export class FakeCloud {
  /** the account's home region */
  home: Region = 'eu';
  /** endpoints that give no answer (connection refused) */
  readonly down = new Set<string>();
  /** endpoints that answer every request with this status (e.g. 503) */
  readonly failing = new Map<string, number>();
  deactivated = false;
  /** a misconfigured cloud: each region answers writes with a 421 naming the other */
  misdirects = false;
  /** the activation answer carries `endpoints` */
  sendsEndpoints = true;
  /** the telemetry 202 carries `license: { etag }` (false: a cloud older than the one-request cycle) */
  sendsLicenceState = true;
  /** the account switched telemetry off: its licence says so and telemetry is refused (403) */
  telemetryOff = false;
  /** the licence's `telemetry.intervalSeconds` (undefined: an older cloud's licence, without it) */
  intervalSeconds: number | undefined = 900;
  version = 1;
  products: LicenceProductClaims[] = [{ product: 'ivr', capacity: 4, kind: 'perpetual' }];
  readonly requests: RecordedRequest[] = [];
  /** beats accepted, by the endpoint that took them */
  readonly beats: { endpoint: string; ids: string[] }[] = [];

  private constructor(
    private readonly key: CryptoKey,
    readonly jwks: Jwks,
  ) {}

  static async create(): Promise<FakeCloud> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'fake-key', alg: 'ES256', use: 'sig' };
    return new FakeCloud(privateKey, { keys: [jwk] });
  }

  endpointOf(region: Region): string {
    return region === 'eu' ? EU : US;
  }

  /** The current licence as the cloud signs it. */
  licence(): Promise<string> {
    const iat = Math.floor(NOW.getTime() / 1000);
    return new SignJWT({
      sub: INSTALLATION_ID,
      acc: 'acc_fake0001',
      ver: this.version,
      products: this.products,
      telemetry: {
        enabled: !this.telemetryOff,
        ...(this.intervalSeconds !== undefined && { intervalSeconds: this.intervalSeconds }),
      },
      nextPollSeconds: 900,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'fake-key', typ: 'ucx-license+jwt' })
      .setIssuer('ucx-cloud')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 30 * 86_400)
      .sign(this.key);
  }

  /** The ETag of the current licence, as the poll and the telemetry 202 give it. */
  etag(): string {
    return `"v${this.version}"`;
  }

  /** Requests that reached `endpoint` on a path containing `fragment`. */
  requestsTo(endpoint: string, fragment = ''): RecordedRequest[] {
    return this.requests.filter((r) => r.endpoint === endpoint && r.path.includes(fragment));
  }

  readonly connect: Connect = (endpoint) => {
    const transport: HttpTransport = {
      endpoint,
      request: async (method, path, options = {}) => {
        this.requests.push({ endpoint, method, path });
        if (this.down.has(endpoint))
          throw new UnreachableError(
            `${endpoint}${path}`,
            Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
          );
        const failing = this.failing.get(endpoint);
        if (failing) return answer(failing, { title: 'Unavailable', status: failing });
        return this.route(endpoint, method, path, options.body, options.headers ?? {});
      },
      close: async () => {},
    };
    return transport;
  };

  private async route(
    endpoint: string,
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<Response> {
    const atHome = endpoint === this.endpointOf(this.home) && !this.misdirects;
    const wrongRegion = () => {
      const home = this.misdirects ? (endpoint === EU ? 'us' : 'eu') : this.home;
      const homeEndpoint = this.endpointOf(home);
      return answer(421, {
        status: 421,
        title: 'Account is served by another region',
        homeRegion: home,
        homeEndpoint,
        region: home,
        endpoint: homeEndpoint,
      });
    };
    const gone = () => answer(410, { status: 410, title: 'Gone', detail: 'This installation was deactivated.' });
    if (method === 'GET' && path === '/.well-known/jwks.json') return answer(200, this.jwks);
    if (method === 'POST' && path === '/v1/activations') {
      if (!atHome) return wrongRegion();
      return answer(201, {
        installationId: INSTALLATION_ID,
        accountId: 'acc_fake0001',
        region: this.home,
        license: await this.licence(),
        nextPollSeconds: 900,
        telemetry: { enabled: true },
        ...(this.sendsEndpoints ? { endpoints: { eu: EU, us: US } } : {}),
      });
    }
    if (method === 'GET' && path === `/v1/installations/${INSTALLATION_ID}/license`) {
      if (this.deactivated) return gone();
      const etag = this.etag();
      if (headers['if-none-match'] === etag) return answer(304, undefined, { etag });
      return answer(200, { license: await this.licence(), nextPollSeconds: 900 }, { etag });
    }
    if (method === 'POST' && path === `/v1/installations/${INSTALLATION_ID}/telemetry`) {
      if (this.deactivated) return gone();
      if (!atHome) return wrongRegion();
      if (this.telemetryOff) return answer(403, { status: 403, title: 'Forbidden', detail: 'Telemetry is off.' });
      const beats = (body as { beats: BeatToSend[] }).beats;
      this.beats.push({ endpoint, ids: beats.map((b) => b.id) });
      return answer(202, {
        accepted: beats.length,
        duplicates: 0,
        rejected: [],
        redactions: [],
        ...(this.sendsLicenceState && { license: { etag: this.etag() } }),
      });
    }
    if (method === 'DELETE' && path === `/v1/installations/${INSTALLATION_ID}`) {
      if (!atHome) return wrongRegion();
      this.deactivated = true;
      return answer(204, undefined);
    }
    return answer(404, { status: 404, title: 'Not found' });
  }
}

function answer(status: number, json: unknown, headers: Record<string, string> = {}): Response {
  const text = json === undefined ? '' : JSON.stringify(json);
  return { status, headers: new Headers(headers), json, text, latencyMs: 1 };
}
