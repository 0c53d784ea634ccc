/**
 * The agent: activation (online or offline), the cycle (counters collected every minute, one
 * telemetry request per cycle whose 202 says whether the licence changed, a poll only then),
 * telemetry through the spool, and the status an administrator reads. It holds no I/O policy of its own: the state store, the spool,
 * the collectors and the HTTP client are handed in, so the CLI keeps them on disk and the fleet
 * simulator in memory.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { collectEverySeconds, defaultCycleSeconds } from '../../lambdas/core/telemetry/cadence';
import type { Collector } from '../collectors/types';
import { collectAll } from '../collectors/types';
import { beatIdSource } from './beat-id';
import { UcxClient, type Observer, type PollResult } from './client';
import { AgentStateError, CloudError, LicenseRejectedError, UnreachableError, isRetryable } from './errors';
import type { Identity } from './identity';
import {
  JWKS_CHECK_SECONDS,
  JwksRefusedError,
  kidsOf,
  signingKeyOf,
  verifySignedJwks,
  type VerifiedJwks,
} from './key-continuity';
import { graceLeftSeconds, verifyLicense, type LicenseClaims, type LicenseProduct } from './license';
import { createOfflineRequest, type OfflineActivationRequest, type OfflineActivationResponse } from './offline';
import {
  FALLBACK_ATTEMPTS,
  FALLBACK_BACKOFF,
  homeNamedBy,
  otherRegionEndpoint,
  regionDown,
  sameEndpoint,
} from './regions';
import { backoffDelayMs, nextPollDelayMs, type Random } from './schedule';
import { PresenceSession, assertUserLimit, normalUpns, type Presence, type PresenceSessionOptions } from './presence';
import type { Spool } from './spool';
import type { AgentState, StateStore } from './state';
import {
  INVENTORY_RESEND_MS,
  INVENTORY_TYPES,
  MAX_BEATS_PER_BATCH,
  dataHash,
  isDue,
  prepareBeat,
  toBatches,
  type BeatType,
} from './telemetry';
import type { Connect, TransportOptions } from './transport';
import type { InstallationFacts, Jwks, TelemetryResult } from './types';

export interface AgentOptions {
  identity: Identity;
  state: StateStore;
  spool: Spool;
  collectors?: readonly Collector[];
  /** the home region's API base URL; default the one stored at activation */
  endpoint?: string;
  /**
   * `home` as `endpoint`; `fallback` the other region's, polled when home does not answer (default
   * the one the activation answer named; `null`: never poll elsewhere)
   */
  endpoints?: { home?: string; fallback?: string | null };
  transport?: TransportOptions;
  /** how to reach an endpoint; default undici with `transport` (tests pass a fake) */
  connect?: Connect;
  observer?: Observer;
  log?: (message: string) => void;
  now?: () => Date;
  random?: Random;
  /** every wait: between cycles and between attempts at the other region (tests pass one that returns at once) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** the home region's Presence endpoint (wss://…); default the one stored in the state */
  presenceEndpoint?: string;
  /** seconds between checks of the signed JWKS at poll time (default a day; 0: every poll) */
  jwksCheckSeconds?: number;
}

/** A check of the signed JWKS: what was pinned, or why the pinned keys stay. */
export type JwksCheck =
  | { outcome: 'pinned'; message: string; added: string[]; dropped: string[] }
  | { outcome: 'refused'; message: string; error: JwksRefusedError }
  /** the cloud does not sign its JWKS (no /.well-known/jwks.json.jws), or gave no answer */
  | { outcome: 'unsigned' | 'failed'; message: string };

/** Which region answered a poll: home, or the other one while home did not answer. */
export type Via = 'home' | 'fallback';

export type PollOutcome =
  | { outcome: 'updated'; claims: LicenseClaims; via: Via }
  | { outcome: 'unchanged'; via: Via }
  | { outcome: 'deactivated'; at: string }
  | { outcome: 'refused'; error: LicenseRejectedError; via: Via };

export interface CycleOutcome {
  poll?: PollOutcome;
  telemetry?: FlushOutcome;
  error?: unknown;
  /** the wait before the next cycle */
  delayMs: number;
}

export interface FlushOutcome {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  redactions: number;
  /** beats left in the spool (the cloud unreachable or busy) */
  left: number;
  /** the licence state the last 202 carried (absent: no 202, or a cloud that does not send it) */
  license?: { etag: string | null };
}

/** A licence product as `status` shows it. */
export interface ProductStatus extends LicenseProduct {
  /** the Care that covered the product and has ended, or that the cloud no longer sends */
  careLapsed?: { level: 'basic' | 'gold' | 'platinum'; expiresAt: string };
}

export interface AgentStatus {
  activated: boolean;
  installationId?: string;
  accountId?: string;
  region?: string;
  /** the home region's endpoint */
  endpoint?: string;
  /** the other region's endpoint, polled when home does not answer */
  fallbackEndpoint?: string;
  /** where the last answered poll came from */
  lastReached?: AgentState['lastReached'];
  /** the cloud deactivated this installation (410): its licence is gone */
  deactivatedInCloud?: AgentState['deactivatedInCloud'];
  activatedOffline?: boolean;
  licence:
    | {
        valid: true;
        version: number;
        issuedAt: string;
        expiresAt: string;
        graceLeftSeconds: number;
        products: ProductStatus[];
      }
    | { valid: false; reason: string; message: string }
    | undefined;
  telemetryEnabled?: boolean;
  /** the licence's telemetry cycle; absent: the default cycle */
  telemetryIntervalSeconds?: number;
  lastPoll?: AgentState['lastPoll'];
  lastGoodPollAt?: string;
  lastTelemetry?: AgentState['lastTelemetry'];
  spool: ReturnType<Spool['stats']>;
  pendingOffline?: AgentState['pendingOffline'];
  /** the licence-signing keys pinned, and the last check of the signed JWKS */
  signingKeys?: { pinned: string[]; lastCheck?: AgentState['jwksCheck'] };
}

export class UcxAgent {
  private readonly clients = new Map<string, UcxClient>();
  /** inventory type → its data as last collected (JSON) and the hash of that data as sent */
  private readonly inventorySeen = new Map<string, { json: string; hash: string }>();
  private readonly nextBeatId = beatIdSource();
  private readonly now: () => Date;
  private readonly log: (message: string) => void;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: AgentOptions) {
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? (() => {});
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
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

  private configuredHome(): string | undefined {
    return this.options.endpoints?.home ?? this.options.endpoint;
  }

  /** The home region's endpoint: configured, unless a 421 moved home away from it; else the stored one. */
  homeEndpoint(s: AgentState = this.state()): string {
    const configured = this.configuredHome();
    if (configured)
      return s.homeRedirect && sameEndpoint(s.homeRedirect.from, configured) ? s.homeRedirect.to : configured;
    if (!s.endpoint) throw new AgentStateError('No cloud endpoint: pass --endpoint (or activate online first).');
    return s.endpoint;
  }

  /** The other region's endpoint, if one is known: configured, from the activation answer, or the home a 421 moved away from. */
  fallbackEndpoint(s: AgentState = this.state()): string | undefined {
    const configured = this.options.endpoints?.fallback;
    if (configured === null) return undefined;
    const home = this.homeEndpoint(s);
    return [configured, s.fallbackEndpoint, s.homeRedirect?.from].find(
      (e): e is string => e !== undefined && !sameEndpoint(e, home),
    );
  }

  private clientFor(endpoint: string): UcxClient {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = new UcxClient(endpoint, this.options.transport, this.options.observer, this.options.connect);
      this.clients.set(endpoint, client);
    }
    return client;
  }

  /**
   * A call to the home region. A 421 naming another home moves home there, for good, and the call
   * is made once more there; a second 421 is thrown.
   */
  private async atHome<T>(call: (client: UcxClient) => Promise<T>): Promise<T> {
    const home = this.homeEndpoint();
    try {
      return await call(this.clientFor(home));
    } catch (error) {
      const named = homeNamedBy(error);
      if (!named || sameEndpoint(named.endpoint, home)) throw error;
      this.update((s) => {
        s.homeRedirect = { from: this.configuredHome() ?? home, to: named.endpoint, at: this.now().toISOString() };
        s.endpoint = named.endpoint;
        if (named.region) s.region = named.region;
      });
      this.log(`the cloud names ${named.endpoint} as this installation's home region: using it from now on`);
      return call(this.clientFor(named.endpoint));
    }
  }

  private requireActivation(): Required<Pick<AgentState, 'installationId' | 'jwks'>> & AgentState {
    const s = this.state();
    if (s.deactivatedInCloud) throw new AgentStateError(deactivatedMessage(s.deactivatedInCloud.at));
    if (!s.installationId || !s.jwks)
      throw new AgentStateError('This installation is not activated: run ucx-agent activate.');
    return s as Required<Pick<AgentState, 'installationId' | 'jwks'>> & AgentState;
  }

  /** Online activation: activate, pin the JWKS, verify the licence against it, keep both. */
  async activate(activationKey: string, installation: InstallationFacts): Promise<LicenseClaims> {
    const { privateKey, publicJwk } = this.identity;
    // Where the administrator asks, not a home an earlier activation was moved to: the key may be another account's.
    const asked = this.configuredHome() ?? this.homeEndpoint();
    const result = await this.clientFor(asked).activate(privateKey, publicJwk, activationKey, installation);
    const jwks = await this.clientFor(result.endpoint).jwks();
    const claims = await verifyLicense(result.license, jwks, {
      installationId: result.installationId,
      now: this.now(),
    });
    const at = this.now().toISOString();
    const configuredFallback = this.options.endpoints?.fallback ?? undefined;
    this.update((s) => {
      Object.assign(s, {
        installationId: result.installationId,
        accountId: result.accountId,
        region: result.region,
        endpoint: result.endpoint,
        fallbackEndpoint: configuredFallback ?? otherRegionEndpoint(result.region, result.endpoints),
        jwks,
        license: result.license,
        etag: undefined,
        nextPollSeconds: result.nextPollSeconds,
        intervalSeconds: claims.telemetry.intervalSeconds,
        telemetryEnabled: result.telemetry.enabled,
        activatedAt: at,
        activatedOffline: false,
        lastGoodPollAt: at,
        lastReached: { at, via: 'home', endpoint: result.endpoint },
        consecutiveFailures: 0,
        careSeen: careOf(claims),
      });
      if (sameEndpoint(asked, result.endpoint)) delete s.homeRedirect;
      else s.homeRedirect = { from: asked, to: result.endpoint, at };
      delete s.pendingOffline;
      delete s.deactivatedInCloud;
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
        endpoint: this.configuredHome() ?? s.endpoint,
        fallbackEndpoint: this.options.endpoints?.fallback ?? otherRegionEndpoint(response.region, response.endpoints),
        jwks: response.jwks,
        license: response.license,
        etag: undefined,
        nextPollSeconds: response.nextPollSeconds,
        intervalSeconds: claims.telemetry.intervalSeconds,
        telemetryEnabled: response.telemetry?.enabled ?? claims.telemetry.enabled,
        activatedAt: this.now().toISOString(),
        activatedOffline: true,
        careSeen: careOf(claims),
      });
      delete s.pendingOffline;
      delete s.deactivatedInCloud;
      delete s.homeRedirect;
    });
    return claims;
  }

  /** The licence in force now, verified offline; throws `LicenseRejectedError` with the reason. */
  async currentLicense(): Promise<LicenseClaims> {
    const gone = this.state().deactivatedInCloud;
    if (gone) throw new LicenseRejectedError('deactivated', deactivatedMessage(gone.at));
    const s = this.requireActivation();
    if (!s.license) throw new LicenseRejectedError('no-licence', 'No licence is stored: activate first.');
    return verifyLicense(s.license, s.jwks, { installationId: s.installationId, now: this.now() });
  }

  /**
   * One licence poll, at home, or at the other region when home does not answer. Network and
   * server failures of both are thrown (the loop backs off); a bad licence is refused and the last
   * good one kept; a 410 removes the licence: the installation was deactivated in the cloud.
   */
  async poll(): Promise<PollOutcome> {
    const gone = this.state().deactivatedInCloud;
    if (gone) return { outcome: 'deactivated', at: gone.at };
    const s = this.requireActivation();
    const at = this.now().toISOString();
    let answer: { result: PollResult; via: Via; endpoint: string };
    try {
      answer = await this.pollAnyRegion(s.installationId, s.etag);
    } catch (error) {
      if (error instanceof CloudError && error.status === 410) return this.deactivatedInCloud(at);
      this.update((x) => {
        x.lastPoll = { at, outcome: `failed: ${(error as Error).message}` };
        x.consecutiveFailures = (x.consecutiveFailures ?? 0) + 1;
      });
      throw error;
    }
    const { result, via, endpoint } = answer;
    // Keys to come are learned before they sign, and a key the licence names first: through the signed JWKS.
    const pinned = await this.learnSigningKeys(s, result, endpoint);
    const reached = { at, via, endpoint };
    const from = via === 'fallback' ? ' (from the other region: home does not answer)' : '';
    if (result.status === 304) {
      this.update((x) => {
        x.lastPoll = { at, outcome: `304 unchanged${from}` };
        x.lastGoodPollAt = at;
        x.lastReached = reached;
        x.consecutiveFailures = 0;
      });
      return { outcome: 'unchanged', via };
    }
    let claims: LicenseClaims;
    try {
      claims = await verifyLicense(result.license, pinned, { installationId: s.installationId, now: this.now() });
    } catch (error) {
      if (!(error instanceof LicenseRejectedError)) throw error;
      this.update((x) => {
        x.lastPoll = { at, outcome: `licence refused: ${error.message}` };
        x.lastReached = reached;
      });
      this.log(`the polled licence was refused, the last good one is kept: ${error.message}`);
      return { outcome: 'refused', error, via };
    }
    this.update((x) => {
      x.license = result.license;
      x.etag = result.etag;
      x.nextPollSeconds = result.nextPollSeconds;
      x.intervalSeconds = claims.telemetry.intervalSeconds;
      x.telemetryEnabled = claims.telemetry.enabled;
      x.lastPoll = { at, outcome: `200 licence v${claims.ver}${from}` };
      x.lastGoodPollAt = at;
      x.lastReached = reached;
      x.consecutiveFailures = 0;
      x.careSeen = { ...x.careSeen, ...careOf(claims) };
    });
    return { outcome: 'updated', claims, via };
  }

  /**
   * Home first, every time, so the agent is back home as soon as home answers. When home gives no
   * answer (unreachable, 5xx) and another region is known, that one is asked, a bounded number of
   * times with backoff. When neither answers, home's error is thrown.
   */
  private async pollAnyRegion(
    installationId: string,
    etag: string | undefined,
  ): Promise<{ result: PollResult; via: Via; endpoint: string }> {
    const poll = (client: UcxClient) => client.poll(installationId, this.identity.privateKey, etag);
    try {
      const result = await this.atHome(poll);
      return { result, via: 'home', endpoint: this.homeEndpoint() };
    } catch (homeError) {
      const fallback = this.fallbackEndpoint();
      if (!fallback || !regionDown(homeError)) throw homeError;
      this.log(`the home region does not answer (${(homeError as Error).message}): polling ${fallback}`);
      for (let attempt = 1; ; attempt++) {
        try {
          return { result: await poll(this.clientFor(fallback)), via: 'fallback', endpoint: fallback };
        } catch (error) {
          if (!regionDown(error)) throw error; // an answer about this installation, e.g. 410
          const delayMs = backoffDelayMs(attempt, {
            ...FALLBACK_BACKOFF,
            retryAfterSeconds: error instanceof CloudError ? error.retryAfterSeconds : undefined,
            random: this.options.random,
          });
          // A long Retry-After is the loop's to honour, not a wait inside one poll.
          if (attempt >= FALLBACK_ATTEMPTS || delayMs > FALLBACK_BACKOFF.capSeconds * 1000) {
            this.log(`the other region does not answer either: ${(error as Error).message}`);
            throw homeError;
          }
          await this.sleep(delayMs);
        }
      }
    }
  }

  /**
   * Checks the signed JWKS when a polled licence names a key this agent has not pinned, or when
   * `jwksCheckSeconds` have passed since the last check; returns the keys to verify with.
   */
  private async learnSigningKeys(s: AgentState & { jwks: Jwks }, result: PollResult, endpoint: string): Promise<Jwks> {
    const unpinnedKid = result.status === 200 && !kidsOf(s.jwks).includes(signingKeyOf(result.license) ?? '');
    if (!unpinnedKid && !this.jwksCheckDue(s)) return s.jwks;
    await this.checkSigningKeys(endpoint);
    return this.state().jwks ?? s.jwks;
  }

  /**
   * Reads the JWKS and its detached signature and pins that JWKS once a pinned key's signature
   * verifies over it (key-continuity.ts): new keys are pinned, keys it no longer lists unpinned,
   * in one state write. A refusal, a cloud that does not sign its JWKS or no answer keep the
   * pinned keys; the outcome is kept for status.
   */
  async checkSigningKeys(endpoint: string = this.homeEndpoint()): Promise<JwksCheck> {
    const s = this.requireActivation();
    const at = this.now().toISOString();
    let check: JwksCheck;
    let verified: VerifiedJwks | undefined;
    try {
      const client = this.clientFor(endpoint);
      verified = await this.verifiedJwks(client, await client.jwksDocument(), s);
      const list = (kids: string[]) => (kids.length > 0 ? kids.join(', ') : 'none');
      check = verified
        ? {
            outcome: 'pinned',
            message: `JWKS signed by pinned key ${verified.signedBy}: ${verified.jwks.keys.length} key(s) pinned, added ${list(verified.added)}, dropped ${list(verified.dropped)}`,
            added: verified.added,
            dropped: verified.dropped,
          }
        : {
            outcome: 'unsigned',
            message: `the cloud does not sign its JWKS (no /.well-known/jwks.json.jws): the ${s.jwks.keys.length} pinned key(s) are kept`,
          };
    } catch (error) {
      check =
        error instanceof JwksRefusedError
          ? { outcome: 'refused', message: `JWKS refused, the pinned keys are kept: ${error.message}`, error }
          : { outcome: 'failed', message: `the JWKS could not be checked: ${(error as Error).message}` };
    }
    this.update((x) => {
      if (verified) {
        x.jwks = verified.jwks;
        x.jwksIssuedAt = verified.issuedAt;
      }
      x.jwksCheck = { at, ok: check.outcome === 'pinned', outcome: check.message };
    });
    if (check.outcome !== 'pinned' || check.added.length + check.dropped.length > 0) this.log(check.message);
    return check;
  }

  /**
   * The JWKS verified by the current key's signature or, when that key is not pinned (this agent
   * missed it while it was `next`), by a signature of a key it has pinned (`?kid=`, any key of the
   * region's set). Undefined when the cloud does not sign its JWKS.
   */
  private async verifiedJwks(
    client: UcxClient,
    body: string,
    s: AgentState & { jwks: Jwks },
  ): Promise<VerifiedJwks | undefined> {
    const options = s.jwksIssuedAt === undefined ? {} : { pinnedIssuedAt: s.jwksIssuedAt };
    const signature = await client.signedJwks();
    if (signature === undefined) return undefined;
    try {
      return await verifySignedJwks(body, signature, s.jwks, options);
    } catch (error) {
      if (!(error instanceof JwksRefusedError) || error.reason !== 'unknown-signer') throw error;
      for (const kid of kidsOf(s.jwks)) {
        const byPinnedKey = await client.signedJwks(kid);
        if (byPinnedKey !== undefined) return verifySignedJwks(body, byPinnedKey, s.jwks, options);
      }
      throw error;
    }
  }

  /** The 410: forget the licence (the capacity went back to the account), the spool and the installation. */
  private deactivatedInCloud(at: string): PollOutcome {
    const spool = this.options.spool;
    spool.remove(spool.peek(spool.stats().beats).map((b) => b.id));
    this.update((x) => {
      x.deactivatedInCloud = { at, installationId: x.installationId ?? '' };
      x.lastPoll = { at, outcome: '410 deactivated in the cloud: licence removed' };
      delete x.license;
      delete x.etag;
      delete x.installationId;
      delete x.careSeen;
    });
    this.log(`${deactivatedMessage(at)} (the cloud answered 410; the licence was removed)`);
    return { outcome: 'deactivated', at };
  }

  /** Collects every due beat into the spool (validated, catalogue fields only). Returns how many. */
  async collect(): Promise<number> {
    const s = this.state();
    const collected = await collectAll(this.options.collectors ?? [], (name, error) =>
      this.log(`collector ${name} failed: ${(error as Error).message}`),
    );
    const now = this.now();
    const sent = { ...s.inventorySent };
    let inventoryDue = false;
    const beats = [];
    for (const { type, data } of collected) {
      // inventory as collected last time, sent less than a day ago: not due, so not checked again
      const json = INVENTORY_TYPES.has(type as BeatType) ? JSON.stringify(data) : undefined;
      const seen = json !== undefined ? this.inventorySeen.get(type) : undefined;
      const last = sent[type];
      if (
        seen !== undefined &&
        last !== undefined &&
        seen.json === json &&
        seen.hash === last.hash &&
        now.getTime() - Date.parse(last.at) < INVENTORY_RESEND_MS
      )
        continue;
      const prepared = prepareBeat(type, data, now, this.nextBeatId());
      if (!prepared.ok) {
        this.log(
          `not sending a ${type} beat, it does not fit the catalogue: ${prepared.errors.slice(0, 3).join('; ')}`,
        );
        continue;
      }
      if (prepared.droppedFields.length > 0)
        this.log(`${type}: dropped fields outside the catalogue: ${prepared.droppedFields.join(', ')}`);
      const beatType = type as BeatType;
      const hash = json !== undefined ? dataHash(prepared.beat.data) : undefined;
      if (hash !== undefined) this.inventorySeen.set(type, { json: json!, hash });
      if (!isDue(beatType, prepared.beat.data, sent[type], now)) continue;
      if (hash !== undefined) {
        sent[type] = { hash, at: now.toISOString() };
        inventoryDue = true;
      }
      beats.push(prepared.beat);
    }
    this.options.spool.add(beats);
    // counters alone change nothing the agent keeps: no state write (a file rename) every minute
    if (inventoryDue)
      this.update((x) => {
        x.inventorySent = sent;
      });
    return beats.length;
  }

  /**
   * Sends the spool, oldest first, to the home region only (telemetry is kept per region), until
   * it is empty; stops (and throws) when home is unreachable.
   */
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
          result = await this.atHome((client) =>
            client.sendTelemetry(s.installationId, this.identity.privateKey, batch),
          );
        } catch (error) {
          if (error instanceof CloudError && error.status === 410) {
            this.deactivatedInCloud(at());
            return out;
          }
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
        if (result.license !== undefined) out.license = result.license;
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
      // Home answered: contact as a poll's answer is (a cycle may make no poll), and the next
      // failure backs off from the start.
      if (out.sent > 0) {
        x.consecutiveFailures = 0;
        x.lastGoodPollAt = at();
        x.lastReached = { at: at(), via: 'home', endpoint: this.homeEndpoint(x) };
      }
    });
    return out;
  }

  /** Telemetry for one cycle: collect into the spool, then flush it, when the licence says telemetry is on. */
  async telemetryCycle(): Promise<FlushOutcome | undefined> {
    const s = this.state();
    if (s.telemetryEnabled === false || s.deactivatedInCloud) return undefined;
    await this.collect();
    return this.flush();
  }

  /** `DELETE /v1/installations/{id}` at home; the local state keeps the identity but forgets the licence. */
  async deactivate(): Promise<void> {
    if (this.state().deactivatedInCloud) return; // already given back, in the cloud
    const s = this.requireActivation();
    await this.atHome((client) => client.deactivate(s.installationId, this.identity.privateKey));
    this.update((x) => {
      x.lastPoll = { at: this.now().toISOString(), outcome: 'deactivated' };
      delete x.license;
      delete x.etag;
      delete x.installationId;
    });
  }

  /**
   * One cycle of `run` (DESIGN "One request per cycle"): the cycle's beats to home in one request
   * (split only beyond a batch's limits), whose 202 carries the licence's ETag; the licence is
   * polled (home, else the other region) only when that ETag differs from the one held, when
   * telemetry is off, when home does not answer, when no 202 said (an older cloud, nothing to
   * send) and once a day for the signed JWKS. Returns the wait before the next cycle: the
   * licence's `telemetry.intervalSeconds` (else the default cycle) while the 202s answer for the
   * licence, otherwise `nextPollSeconds`, ±20 % either way; after a failure an exponential backoff
   * with full jitter, at least what `Retry-After` asked.
   */
  async cycle(gate: <T>(work: () => Promise<T>) => Promise<T> = (work) => work()): Promise<CycleOutcome> {
    let poll: PollOutcome | undefined;
    let telemetry: FlushOutcome | undefined;
    try {
      let homeAway = false;
      try {
        telemetry = await gate(() => this.telemetryCycle());
      } catch (error) {
        if (!isRetryable(error)) throw error;
        this.log(`telemetry kept in the spool: ${(error as Error).message}`);
        homeAway = true;
        telemetry = this.spooled();
      }
      const gone = this.state().deactivatedInCloud;
      if (gone) return { poll: { outcome: 'deactivated', at: gone.at }, delayMs: 0 };
      const s = this.state();
      const told = !homeAway && s.telemetryEnabled !== false ? telemetry?.license : undefined;
      if (told === undefined || told.etag !== s.etag || this.jwksCheckDue(s)) {
        poll = await gate(() => this.poll());
        if (poll.outcome === 'deactivated') return { poll, delayMs: 0 };
      }
      const after = this.state();
      const seconds =
        told !== undefined && after.telemetryEnabled !== false
          ? (after.intervalSeconds ?? defaultCycleSeconds)
          : (after.nextPollSeconds ?? defaultCycleSeconds);
      return {
        ...(poll && { poll }),
        telemetry,
        delayMs: nextPollDelayMs(seconds, this.options.random),
      };
    } catch (error) {
      if (!isRetryable(error)) this.log(`poll failed: ${(error as Error).message}`);
      // keep collecting while the cloud is away (the spool bounds it), once a cycle
      if (telemetry === undefined) await this.collectQuietly();
      const retryAfterSeconds = error instanceof CloudError ? error.retryAfterSeconds : undefined;
      const delayMs = backoffDelayMs(this.state().consecutiveFailures ?? 1, {
        retryAfterSeconds,
        random: this.options.random,
      });
      if (error instanceof UnreachableError || error instanceof CloudError)
        this.log(`${error.message}; retrying in ${Math.round(delayMs / 1000)} s`);
      return { poll, telemetry, error, delayMs };
    }
  }

  /** Whether the signed JWKS is due for its check (a day since the last): the poll makes it. */
  private jwksCheckDue(s: AgentState): boolean {
    const sinceLastMs = this.now().getTime() - Date.parse(s.jwksCheck?.at ?? s.activatedAt ?? '');
    return !(sinceLastMs < (this.options.jwksCheckSeconds ?? JWKS_CHECK_SECONDS) * 1000);
  }

  /** Home does not answer: the cycle's beats stay in the spool, to be sent when home answers again. */
  private spooled(): FlushOutcome {
    const left = this.options.spool.stats().beats;
    this.update((x) => {
      x.lastTelemetry = {
        at: this.now().toISOString(),
        outcome: `spooled ${left} beats: the home region does not answer`,
      };
    });
    return { sent: 0, accepted: 0, duplicates: 0, rejected: 0, redactions: 0, left };
  }

  private async collectQuietly(): Promise<void> {
    try {
      await this.collect();
    } catch {
      /* collection failures are logged by collectAll */
    }
  }

  /**
   * The loop: `cycle`, then its wait, collecting counter beats every collectEverySeconds of it
   * while telemetry is on (they go out with the next cycle). Ends on `signal` or when the
   * installation is deactivated.
   */
  async run(
    signal: AbortSignal,
    hooks: {
      /** multiply every wait (the fleet simulator runs time faster) */
      timeScale?: number;
      /** wraps each cycle's work, e.g. to bound how many installations talk at once */
      gate?: <T>(work: () => Promise<T>) => Promise<T>;
      onCycle?: (cycle: CycleOutcome) => void;
    } = {},
  ): Promise<void> {
    const scale = hooks.timeScale ?? 1;
    const collectMs = collectEverySeconds * 1000;
    while (!signal.aborted) {
      const cycle = await this.cycle(hooks.gate);
      hooks.onCycle?.(cycle);
      if (signal.aborted) return;
      if (this.state().deactivatedInCloud) {
        this.log('the installation was deactivated in the cloud: stopping');
        return;
      }
      for (let left = cycle.delayMs; left > 0; ) {
        const collecting = this.state().telemetryEnabled !== false;
        const wait = collecting ? Math.min(left, collectMs) : left;
        try {
          await this.sleep(Math.max(1, wait * scale), signal);
        } catch {
          return; // aborted
        }
        left -= wait;
        if (signal.aborted) return;
        if (collecting && left > 0) await this.collectQuietly();
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
        const now = this.now();
        licence = {
          valid: true,
          version: claims.ver,
          issuedAt: new Date(claims.iat * 1000).toISOString(),
          expiresAt: new Date(claims.exp * 1000).toISOString(),
          graceLeftSeconds: graceLeftSeconds(claims, now),
          products: claims.products.map((p) => withCareLapsed(p, s.careSeen?.[p.product], now)),
        };
      } catch (error) {
        const e = error as LicenseRejectedError;
        licence = { valid: false, reason: e.reason ?? 'error', message: e.message };
      }
    }
    let endpoints: { endpoint?: string; fallbackEndpoint?: string } = {};
    try {
      endpoints = { endpoint: this.homeEndpoint(s), fallbackEndpoint: this.fallbackEndpoint(s) };
    } catch {
      /* not activated and no endpoint configured: nothing to show */
    }
    return {
      activated: Boolean(s.installationId && s.license),
      installationId: s.installationId,
      accountId: s.accountId,
      region: s.region,
      ...endpoints,
      lastReached: s.lastReached,
      deactivatedInCloud: s.deactivatedInCloud,
      activatedOffline: s.activatedOffline,
      licence,
      telemetryEnabled: s.telemetryEnabled,
      ...(s.intervalSeconds !== undefined && { telemetryIntervalSeconds: s.intervalSeconds }),
      lastPoll: s.lastPoll,
      lastGoodPollAt: s.lastGoodPollAt,
      lastTelemetry: s.lastTelemetry,
      spool: this.options.spool.stats(),
      pendingOffline: s.pendingOffline,
      ...(s.jwks && { signingKeys: { pinned: kidsOf(s.jwks), ...(s.jwksCheck && { lastCheck: s.jwksCheck }) } }),
    };
  }

  /**
   * The home region's Presence endpoint: `presenceEndpoint` of the options, else the state's; the
   * session itself follows a 421 to the home it names.
   */
  presenceEndpoint(s: AgentState = this.state()): string {
    const endpoint = this.options.presenceEndpoint ?? s.presenceEndpoint;
    if (!endpoint)
      throw new AgentStateError(
        "No Presence endpoint: pass --presence-endpoint (the home region's wss:// URL) or set UCX_PRESENCE_ENDPOINT.",
      );
    return endpoint;
  }

  /** A Presence session of this installation (not yet connected): signed with its key, through its proxy. */
  presenceSession(
    options: Partial<Omit<PresenceSessionOptions, 'installationId' | 'privateKey'>> = {},
  ): PresenceSession {
    const s = this.requireActivation();
    return new PresenceSession({
      endpoint: this.presenceEndpoint(s),
      installationId: s.installationId,
      privateKey: this.identity.privateKey,
      api: this.homeEndpoint(s),
      now: this.now,
      ...(this.options.transport?.proxy !== undefined ? { proxy: this.options.transport.proxy } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
      ...options,
    });
  }

  /** `POST /v1/installations/{id}/presence/snapshot` at home (1,000 users per request): the presence of `upns` now. */
  async presenceSnapshot(upns: Iterable<string>): Promise<Presence[]> {
    const s = this.requireActivation();
    const users = normalUpns(upns);
    assertUserLimit(users.length);
    return this.atHome((client) => client.presenceSnapshot(s.installationId, this.identity.privateKey, users));
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
    this.clients.clear();
  }
}

export const deactivatedMessage = (at: string) =>
  `This installation was deactivated in the cloud at ${at}: activate again with a new key.`;

/** product → its Care, for the products of `claims` that carry one */
function careOf(claims: LicenseClaims): NonNullable<AgentState['careSeen']> {
  return Object.fromEntries(claims.products.flatMap((p) => (p.care ? [[p.product, { ...p.care }]] : [])));
}

/** A product with `careLapsed` when its Care has ended, or was seen before and the cloud no longer sends it. */
function withCareLapsed(
  product: LicenseProduct,
  seen: { level: 'basic' | 'gold' | 'platinum'; expiresAt: string } | undefined,
  now: Date,
): ProductStatus {
  if (product.care) {
    return Date.parse(product.care.expiresAt) <= now.getTime() ? { ...product, careLapsed: product.care } : product;
  }
  return seen ? { ...product, careLapsed: seen } : product;
}
