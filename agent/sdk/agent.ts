/**
 * The agent: activation (online or offline), the poll loop, telemetry through the spool, and the
 * status an administrator reads. It holds no I/O policy of its own: the state store, the spool,
 * the collectors and the HTTP client are handed in, so the CLI keeps them on disk and the fleet
 * simulator in memory.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collector } from '../collectors/types';
import { collectAll } from '../collectors/types';
import { UcxClient, type Observer } from './client';
import { AgentStateError, CloudError, LicenseRejectedError, UnreachableError, isRetryable } from './errors';
import type { Identity } from './identity';
import { graceLeftSeconds, verifyLicense, type LicenseClaims } from './license';
import { createOfflineRequest, type OfflineActivationRequest, type OfflineActivationResponse } from './offline';
import { backoffDelayMs, nextPollDelayMs, type Random } from './schedule';
import type { Spool } from './spool';
import type { AgentState, StateStore } from './state';
import {
  INVENTORY_TYPES,
  MAX_BEATS_PER_BATCH,
  dataHash,
  isDue,
  prepareBeat,
  toBatches,
  type BeatType,
} from './telemetry';
import type { TransportOptions } from './transport';
import type { InstallationFacts, TelemetryResult } from './types';

export interface AgentOptions {
  identity: Identity;
  state: StateStore;
  spool: Spool;
  collectors?: readonly Collector[];
  /** API base URL; default the one stored at activation */
  endpoint?: string;
  transport?: TransportOptions;
  observer?: Observer;
  log?: (message: string) => void;
  now?: () => Date;
  random?: Random;
}

export type PollOutcome =
  | { outcome: 'updated'; claims: LicenseClaims }
  | { outcome: 'unchanged' }
  | { outcome: 'deactivated' }
  | { outcome: 'refused'; error: LicenseRejectedError };

export interface FlushOutcome {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  redactions: number;
  /** beats left in the spool (the cloud unreachable or busy) */
  left: number;
}

export interface AgentStatus {
  activated: boolean;
  installationId?: string;
  accountId?: string;
  region?: string;
  endpoint?: string;
  activatedOffline?: boolean;
  licence:
    | {
        valid: true;
        version: number;
        issuedAt: string;
        expiresAt: string;
        graceLeftSeconds: number;
        products: LicenseClaims['products'];
      }
    | { valid: false; reason: string; message: string }
    | undefined;
  telemetryEnabled?: boolean;
  lastPoll?: AgentState['lastPoll'];
  lastGoodPollAt?: string;
  lastTelemetry?: AgentState['lastTelemetry'];
  spool: ReturnType<Spool['stats']>;
  pendingOffline?: AgentState['pendingOffline'];
}

export class UcxAgent {
  private clientCache: UcxClient | undefined;
  private readonly now: () => Date;
  private readonly log: (message: string) => void;

  constructor(private readonly options: AgentOptions) {
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? (() => {});
  }

  get identity(): Identity {
    return this.options.identity;
  }

  state(): AgentState {
    return this.options.state.read();
  }

  private update(change: (s: AgentState) => void): AgentState {
    const s = this.options.state.read();
    change(s);
    this.options.state.write(s);
    return s;
  }

  private client(): UcxClient {
    const endpoint = this.options.endpoint ?? this.state().endpoint;
    if (!endpoint) throw new AgentStateError('No cloud endpoint: pass --endpoint (or activate online first).');
    this.clientCache ??= new UcxClient(endpoint, this.options.transport, this.options.observer);
    return this.clientCache;
  }

  private requireActivation(): Required<Pick<AgentState, 'installationId' | 'jwks'>> & AgentState {
    const s = this.state();
    if (!s.installationId || !s.jwks)
      throw new AgentStateError('This installation is not activated: run ucx-agent activate.');
    return s as Required<Pick<AgentState, 'installationId' | 'jwks'>> & AgentState;
  }

  /** Online activation: activate, pin the JWKS, verify the licence against it, keep both. */
  async activate(activationKey: string, installation: InstallationFacts): Promise<LicenseClaims> {
    const { privateKey, publicJwk } = this.identity;
    const client = this.client();
    const result = await client.activate(privateKey, publicJwk, activationKey, installation);
    const jwks = await (result.endpoint === client.endpoint
      ? client
      : new UcxClient(result.endpoint, this.options.transport)
    ).jwks();
    const claims = await verifyLicense(result.license, jwks, {
      installationId: result.installationId,
      now: this.now(),
    });
    this.update((s) => {
      Object.assign(s, {
        installationId: result.installationId,
        accountId: result.accountId,
        region: result.region,
        endpoint: result.endpoint,
        jwks,
        license: result.license,
        etag: undefined,
        nextPollSeconds: result.nextPollSeconds,
        telemetryEnabled: result.telemetry.enabled,
        activatedAt: this.now().toISOString(),
        activatedOffline: false,
        lastGoodPollAt: this.now().toISOString(),
        consecutiveFailures: 0,
      });
      delete s.pendingOffline;
    });
    this.log(`activated: installation ${result.installationId}, account ${result.accountId}, region ${result.region}`);
    return claims;
  }

  /** Offline activation, step 1: the signed request file's content. */
  async offlineRequest(
    activationKey: string,
    installation: InstallationFacts,
    file: string,
  ): Promise<OfflineActivationRequest> {
    const request = await createOfflineRequest(
      this.identity.privateKey,
      this.identity.publicJwk,
      activationKey,
      installation,
      this.now(),
    );
    this.update((s) => {
      s.pendingOffline = { createdAt: request.request.createdAt, file };
    });
    return request;
  }

  /** Offline activation, step 3: pin the response's JWKS and keep its licence once it verifies. */
  async importOfflineResponse(response: OfflineActivationResponse): Promise<LicenseClaims> {
    if (!response?.license || !response.installationId || !Array.isArray(response.jwks?.keys)) {
      throw new AgentStateError(
        'This is not an offline activation response file (license, installationId and jwks are required).',
      );
    }
    const claims = await verifyLicense(response.license, response.jwks, {
      installationId: response.installationId,
      now: this.now(),
    });
    this.update((s) => {
      Object.assign(s, {
        installationId: response.installationId,
        accountId: response.accountId,
        region: response.region,
        endpoint: this.options.endpoint ?? s.endpoint,
        jwks: response.jwks,
        license: response.license,
        etag: undefined,
        nextPollSeconds: response.nextPollSeconds,
        telemetryEnabled: response.telemetry?.enabled ?? claims.telemetry.enabled,
        activatedAt: this.now().toISOString(),
        activatedOffline: true,
      });
      delete s.pendingOffline;
    });
    return claims;
  }

  /** The licence in force now, verified offline; throws `LicenseRejectedError` with the reason. */
  async currentLicense(): Promise<LicenseClaims> {
    const s = this.requireActivation();
    if (!s.license) throw new LicenseRejectedError('no-licence', 'No licence is stored: activate first.');
    return verifyLicense(s.license, s.jwks, { installationId: s.installationId, now: this.now() });
  }

  /** One licence poll. Network and server failures are thrown (the loop backs off); a bad licence is refused and the last good one kept. */
  async poll(): Promise<PollOutcome> {
    const s = this.requireActivation();
    const at = this.now().toISOString();
    try {
      const result = await this.client().poll(s.installationId, this.identity.privateKey, s.etag);
      if (result.status === 304) {
        this.update((x) => {
          x.lastPoll = { at, outcome: '304 unchanged' };
          x.lastGoodPollAt = at;
          x.consecutiveFailures = 0;
        });
        return { outcome: 'unchanged' };
      }
      let claims: LicenseClaims;
      try {
        claims = await verifyLicense(result.license, s.jwks, { installationId: s.installationId, now: this.now() });
      } catch (error) {
        if (!(error instanceof LicenseRejectedError)) throw error;
        this.update((x) => {
          x.lastPoll = { at, outcome: `licence refused: ${error.message}` };
        });
        this.log(`the polled licence was refused, the last good one is kept: ${error.message}`);
        return { outcome: 'refused', error };
      }
      this.update((x) => {
        x.license = result.license;
        x.etag = result.etag;
        x.nextPollSeconds = result.nextPollSeconds;
        x.telemetryEnabled = claims.telemetry.enabled;
        x.lastPoll = { at, outcome: `200 licence v${claims.ver}` };
        x.lastGoodPollAt = at;
        x.consecutiveFailures = 0;
      });
      return { outcome: 'updated', claims };
    } catch (error) {
      if (error instanceof CloudError && error.status === 410) {
        this.update((x) => {
          x.lastPoll = { at, outcome: '410 deactivated' };
        });
        return { outcome: 'deactivated' };
      }
      this.update((x) => {
        x.lastPoll = { at, outcome: `failed: ${(error as Error).message}` };
        x.consecutiveFailures = (x.consecutiveFailures ?? 0) + 1;
      });
      throw error;
    }
  }

  /** Collects every due beat into the spool (validated, catalogue fields only). Returns how many. */
  async collect(): Promise<number> {
    const s = this.state();
    const collected = await collectAll(this.options.collectors ?? [], (name, error) =>
      this.log(`collector ${name} failed: ${(error as Error).message}`),
    );
    const now = this.now();
    const sent = { ...s.inventorySent };
    const beats = [];
    for (const { type, data } of collected) {
      const prepared = prepareBeat(type, data, now);
      if (!prepared.ok) {
        this.log(
          `not sending a ${type} beat, it does not fit the catalogue: ${prepared.errors.slice(0, 3).join('; ')}`,
        );
        continue;
      }
      if (prepared.droppedFields.length > 0)
        this.log(`${type}: dropped fields outside the catalogue: ${prepared.droppedFields.join(', ')}`);
      const beatType = type as BeatType;
      if (!isDue(beatType, prepared.beat.data, sent[type], now)) continue;
      if (INVENTORY_TYPES.has(beatType)) sent[type] = { hash: dataHash(prepared.beat.data), at: now.toISOString() };
      beats.push(prepared.beat);
    }
    this.options.spool.add(beats);
    this.update((x) => {
      x.inventorySent = sent;
    });
    return beats.length;
  }

  /** Sends the spool, oldest first, until it is empty; stops (and throws) when the cloud is unreachable. */
  async flush(): Promise<FlushOutcome> {
    const s = this.requireActivation();
    const out: FlushOutcome = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, redactions: 0, left: 0 };
    const spool = this.options.spool;
    const at = () => this.now().toISOString();
    while (spool.stats().beats > 0) {
      const window = spool.peek(MAX_BEATS_PER_BATCH);
      if (window.length === 0) break;
      for (const batch of toBatches(window)) {
        const ids = batch.map((b) => b.id);
        let result: TelemetryResult;
        try {
          result = await this.client().sendTelemetry(s.installationId, this.identity.privateKey, batch);
        } catch (error) {
          if (error instanceof CloudError && error.status === 403) {
            // Switched off in the portal: what was collected must not be sent later either.
            const dropped = spool.stats().beats;
            spool.remove(spool.peek(dropped).map((b) => b.id));
            this.update((x) => {
              x.telemetryEnabled = false;
              x.lastTelemetry = { at: at(), outcome: `403 telemetry is off: ${dropped} spooled beats discarded` };
            });
            return out;
          }
          if (error instanceof CloudError && (error.status === 400 || error.status === 413)) {
            // Never acceptable as it is: keeping it would block the spool forever.
            spool.remove(ids);
            out.rejected += batch.length;
            this.log(`a batch of ${batch.length} beats was refused (${error.status}): ${error.message}`);
            continue;
          }
          out.left = spool.stats().beats;
          this.update((x) => {
            x.lastTelemetry = { at: at(), outcome: `spooled ${out.left} beats: ${(error as Error).message}` };
          });
          throw error;
        }
        spool.remove(ids);
        out.sent += batch.length;
        out.accepted += result.accepted;
        out.duplicates += result.duplicates;
        out.rejected += result.rejected.length;
        out.redactions += result.redactions.length;
        for (const r of result.rejected)
          this.log(`beat ${r.beatId} rejected: ${r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
      }
    }
    out.left = spool.stats().beats;
    this.update((x) => {
      x.lastTelemetry = { at: at(), outcome: `sent ${out.sent}, accepted ${out.accepted}, rejected ${out.rejected}` };
    });
    return out;
  }

  /** Telemetry for one cycle: collect into the spool, then flush it, when the licence says telemetry is on. */
  async telemetryCycle(): Promise<FlushOutcome | undefined> {
    if (this.state().telemetryEnabled === false) return undefined;
    await this.collect();
    return this.flush();
  }

  /** `DELETE /v1/installations/{id}`; the local state keeps the identity but forgets the licence. */
  async deactivate(): Promise<void> {
    const s = this.requireActivation();
    await this.client().deactivate(s.installationId, this.identity.privateKey);
    this.update((x) => {
      x.lastPoll = { at: this.now().toISOString(), outcome: 'deactivated' };
      delete x.license;
      delete x.etag;
      delete x.installationId;
    });
  }

  /**
   * The loop: poll, then telemetry, then wait `nextPollSeconds` ±20 %; after a failure wait an
   * exponential backoff with full jitter, at least what `Retry-After` asked. Ends on `signal` or
   * when the installation is deactivated.
   */
  async run(
    signal: AbortSignal,
    hooks: {
      /** multiply every wait (the fleet simulator runs time faster) */
      timeScale?: number;
      /** wraps each cycle's work, e.g. to bound how many installations talk at once */
      gate?: <T>(work: () => Promise<T>) => Promise<T>;
      onCycle?: (cycle: { poll?: PollOutcome; telemetry?: FlushOutcome; error?: unknown; delayMs: number }) => void;
    } = {},
  ): Promise<void> {
    const scale = hooks.timeScale ?? 1;
    const gate = hooks.gate ?? (<T>(work: () => Promise<T>) => work());
    while (!signal.aborted) {
      let delayMs: number;
      let poll: PollOutcome | undefined;
      let telemetry: FlushOutcome | undefined;
      let failure: unknown;
      try {
        poll = await gate(() => this.poll());
        if (poll.outcome === 'deactivated') {
          this.log('the installation was deactivated in the cloud: stopping');
          hooks.onCycle?.({ poll, delayMs: 0 });
          return;
        }
        try {
          telemetry = await gate(() => this.telemetryCycle());
        } catch (error) {
          if (!isRetryable(error)) throw error;
          this.log(`telemetry kept in the spool: ${(error as Error).message}`);
        }
        delayMs = nextPollDelayMs(this.state().nextPollSeconds ?? 900, this.options.random);
      } catch (error) {
        failure = error;
        if (!isRetryable(error)) this.log(`poll failed: ${(error as Error).message}`);
        try {
          await this.collect(); // keep collecting while the cloud is away; the spool bounds it
        } catch {
          /* collection failures are logged by collectAll */
        }
        const retryAfterSeconds = error instanceof CloudError ? error.retryAfterSeconds : undefined;
        delayMs = backoffDelayMs(this.state().consecutiveFailures ?? 1, {
          retryAfterSeconds,
          random: this.options.random,
        });
        if (error instanceof UnreachableError || error instanceof CloudError)
          this.log(`${error.message}; retrying in ${Math.round(delayMs / 1000)} s`);
      }
      hooks.onCycle?.({ poll, telemetry, error: failure, delayMs });
      try {
        await sleep(Math.max(1, delayMs * scale), undefined, { signal });
      } catch {
        return; // aborted
      }
    }
  }

  /** What `ucx-agent status` prints. */
  async status(): Promise<AgentStatus> {
    const s = this.state();
    let licence: AgentStatus['licence'];
    if (s.license && s.jwks && s.installationId) {
      try {
        const claims = await this.currentLicense();
        licence = {
          valid: true,
          version: claims.ver,
          issuedAt: new Date(claims.iat * 1000).toISOString(),
          expiresAt: new Date(claims.exp * 1000).toISOString(),
          graceLeftSeconds: graceLeftSeconds(claims, this.now()),
          products: claims.products,
        };
      } catch (error) {
        const e = error as LicenseRejectedError;
        licence = { valid: false, reason: e.reason ?? 'error', message: e.message };
      }
    }
    return {
      activated: Boolean(s.installationId && s.license),
      installationId: s.installationId,
      accountId: s.accountId,
      region: s.region,
      endpoint: s.endpoint,
      activatedOffline: s.activatedOffline,
      licence,
      telemetryEnabled: s.telemetryEnabled,
      lastPoll: s.lastPoll,
      lastGoodPollAt: s.lastGoodPollAt,
      lastTelemetry: s.lastTelemetry,
      spool: this.options.spool.stats(),
      pendingOffline: s.pendingOffline,
    };
  }

  async close(): Promise<void> {
    await this.clientCache?.close();
  }
}
