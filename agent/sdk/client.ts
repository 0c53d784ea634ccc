/**
 * The v1 agent-facing API as calls: activate, read the JWKS and its signature, poll the licence
 * (ETag / 304), send telemetry (gzip), deactivate. Each returns the parsed answer or throws
 * `CloudError` / `UnreachableError`; nothing here retries (the scheduler in `agent.ts` does).
 */
import type { KeyObject } from 'node:crypto';
import { CloudError } from './errors';
import { Transport, expectStatus, type Connect, type HttpTransport, type TransportOptions } from './transport';
import type {
  ActivationResponse,
  BeatToSend,
  Ed25519PublicJwk,
  InstallationFacts,
  Jwks,
  TelemetryResult,
} from './types';
import { jwkThumbprint } from './signing';
import { homeNamedIn } from './regions';
import { MAX_USERS_PER_FRAME, inBatches, snapshotResponseSchema, type Presence } from './presence-frames';

export type PollResult =
  | { status: 200; license: string; nextPollSeconds: number; etag: string | undefined; latencyMs: number }
  | { status: 304; latencyMs: number };

export interface Observer {
  /** every answer, for the fleet simulator's statistics */
  onResponse?(route: string, status: number, latencyMs: number): void;
}

export class UcxClient {
  readonly transport: HttpTransport;

  constructor(
    endpoint: string,
    options: TransportOptions = {},
    private readonly observer: Observer = {},
    /** how to reach an endpoint; default undici with `options` */
    private readonly connect?: Connect,
  ) {
    this.transport = connect ? connect(endpoint) : new Transport(endpoint, options);
  }

  get endpoint(): string {
    return this.transport.endpoint;
  }

  private async send(route: string, ...args: Parameters<Transport['request']>) {
    const res = await this.transport.request(...args);
    this.observer.onResponse?.(route, res.status, res.latencyMs);
    return res;
  }

  /**
   * `POST /v1/activations`, signed with the new key (keyid = its thumbprint). A 421 (account
   * homed in the other region) is followed once to the endpoint it names; a second one is thrown.
   */
  async activate(
    privateKey: KeyObject,
    publicKey: Ed25519PublicJwk,
    activationKey: string,
    installation: InstallationFacts,
    followed = false,
  ): Promise<ActivationResponse & { endpoint: string }> {
    const identity = { keyid: await jwkThumbprint(publicKey), privateKey };
    const body = { activationKey, publicKey, installation };
    const res = await this.send('POST /v1/activations', 'POST', '/v1/activations', { body, identity });
    // One 421 is followed, to an https endpoint (http on loopback); a second one, or another scheme, is an error.
    const named = res.status === 421 && !followed ? homeNamedIn(res.json) : undefined;
    if (named) {
      const there = new UcxClient(named.endpoint, { proxy: this.transport.proxy ?? null }, this.observer, this.connect);
      try {
        return await there.activate(privateKey, publicKey, activationKey, installation, true);
      } finally {
        await there.close();
      }
    }
    expectStatus(res, 200, 201);
    return { ...(res.json as ActivationResponse), endpoint: this.endpoint };
  }

  /** `GET /.well-known/jwks.json`: the keys to pin at activation. */
  async jwks(): Promise<Jwks> {
    const res = expectStatus(await this.send('GET /.well-known/jwks.json', 'GET', '/.well-known/jwks.json'), 200);
    const jwks = res.json as Jwks;
    if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0)
      throw new CloudError(200, { detail: 'the JWKS holds no key' });
    return jwks;
  }

  /** `GET /.well-known/jwks.json` as received: the exact bytes its detached signature covers. */
  async jwksDocument(): Promise<string> {
    return expectStatus(await this.send('GET /.well-known/jwks.json', 'GET', '/.well-known/jwks.json'), 200).text;
  }

  /**
   * `GET /.well-known/jwks.json.jws[?kid=]`: the JWKS's detached signature, by the region's current
   * key or by `kid`. Undefined on a 404: a cloud that does not sign its JWKS, or no such key.
   */
  async signedJwks(kid?: string): Promise<string | undefined> {
    const path = `/.well-known/jwks.json.jws${kid ? `?kid=${encodeURIComponent(kid)}` : ''}`;
    const res = await this.send('GET /.well-known/jwks.json.jws', 'GET', path);
    if (res.status === 404) return undefined;
    return expectStatus(res, 200).text;
  }

  /** `GET /v1/installations/{id}/license` with `If-None-Match` when an ETag is known. */
  async poll(installationId: string, privateKey: KeyObject, etag?: string): Promise<PollResult> {
    const res = await this.send(
      'GET /v1/installations/{id}/license',
      'GET',
      `/v1/installations/${installationId}/license`,
      {
        identity: { keyid: installationId, privateKey },
        headers: etag ? { 'if-none-match': etag } : {},
      },
    );
    if (res.status === 304) return { status: 304, latencyMs: res.latencyMs };
    expectStatus(res, 200);
    const body = res.json as { license: string; nextPollSeconds: number };
    return {
      status: 200,
      license: body.license,
      nextPollSeconds: body.nextPollSeconds,
      etag: res.headers.get('etag') ?? undefined,
      latencyMs: res.latencyMs,
    };
  }

  /** `POST /v1/installations/{id}/telemetry`, gzipped. */
  async sendTelemetry(installationId: string, privateKey: KeyObject, beats: BeatToSend[]): Promise<TelemetryResult> {
    const res = await this.send(
      'POST /v1/installations/{id}/telemetry',
      'POST',
      `/v1/installations/${installationId}/telemetry`,
      {
        identity: { keyid: installationId, privateKey },
        body: { beats },
        gzip: true,
      },
    );
    expectStatus(res, 202);
    return res.json as TelemetryResult;
  }

  /** `DELETE /v1/installations/{id}`: gives the licences back (204, again 204). */
  async deactivate(installationId: string, privateKey: KeyObject): Promise<void> {
    const res = await this.send('DELETE /v1/installations/{id}', 'DELETE', `/v1/installations/${installationId}`, {
      identity: { keyid: installationId, privateKey },
    });
    expectStatus(res, 204);
  }

  /**
   * `POST /v1/installations/{id}/presence/snapshot` `{ users }` (signed), 1,000 users per request:
   * the presence of `users` now, for a suite whose proxy will not carry the WebSocket session.
   */
  async presenceSnapshot(installationId: string, privateKey: KeyObject, users: readonly string[]): Promise<Presence[]> {
    const presences: Presence[] = [];
    for (const batch of inBatches(users, MAX_USERS_PER_FRAME)) {
      const res = await this.send(
        'POST /v1/installations/{id}/presence/snapshot',
        'POST',
        `/v1/installations/${installationId}/presence/snapshot`,
        { identity: { keyid: installationId, privateKey }, body: { users: batch } },
      );
      expectStatus(res, 200);
      const body = snapshotResponseSchema.safeParse(res.json);
      if (!body.success) throw new CloudError(200, { detail: 'the presence snapshot is not { presences: [...] }' });
      presences.push(...body.data.presences);
    }
    return presences;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
