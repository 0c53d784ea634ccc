/**
 * What the agent remembers between runs: its activation, the pinned JWKS, the last good licence
 * and its ETag, the poll history and what inventory was last sent. One JSON document, written
 * atomically (temp file + rename) with mode 0600; a memory store for simulations and tests.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { agentStateSchema, readJsonFile } from './files';
import type { Jwks } from './types';

export interface AgentState {
  installationId?: string;
  accountId?: string;
  region?: 'eu' | 'us';
  /** the API base URL of the home region: every write and all telemetry go there */
  endpoint?: string;
  /** the other region's API base URL, polled when home does not answer */
  fallbackEndpoint?: string;
  /** the home region's Presence endpoint (wss://…), when configured or named by the cloud */
  presenceEndpoint?: string;
  /** a 421 named another home: while configured with `from`, the agent talks to `to` */
  homeRedirect?: { from: string; to: string; at: string };
  /** where the last answer came from (a poll's, or home's to telemetry): home, or the other region while home did not answer */
  lastReached?: { at: string; via: 'home' | 'fallback'; endpoint: string };
  /** the cloud answered 410 (deactivated, e.g. in the portal): the licence was removed then */
  deactivatedInCloud?: { at: string; installationId: string };
  /** product → the Care last seen in a licence, to tell "Care lapsed" once the cloud stops sending it */
  careSeen?: Record<string, { level: 'basic' | 'gold' | 'platinum'; expiresAt: string }>;
  /** the licence-signing keys this agent trusts: pinned at activation, changed only by a JWKS a pinned key signed */
  jwks?: Jwks;
  /** when the cloud signed the pinned JWKS (its signature's `iat`), once one was verified */
  jwksIssuedAt?: number;
  /** the last check of the signed JWKS; a refusal keeps the pinned keys */
  jwksCheck?: { at: string; ok: boolean; outcome: string };
  license?: string;
  etag?: string;
  nextPollSeconds?: number;
  /** the licence's telemetry cycle (`telemetry.intervalSeconds`); absent: the default cycle */
  intervalSeconds?: number;
  telemetryEnabled?: boolean;
  activatedAt?: string;
  activatedOffline?: boolean;
  lastPoll?: { at: string; outcome: string };
  lastGoodPollAt?: string;
  consecutiveFailures?: number;
  /** beat type → hash and time of the inventory beat last accepted */
  inventorySent?: Record<string, { hash: string; at: string }>;
  lastTelemetry?: { at: string; outcome: string };
  /** an offline request written and not yet answered */
  pendingOffline?: { createdAt: string; file: string };
}

export interface StateStore {
  read(): AgentState;
  write(state: AgentState): void;
}

export class FileStateStore implements StateStore {
  constructor(readonly path: string) {}

  read(): AgentState {
    if (!existsSync(this.path)) return {};
    return readJsonFile(agentStateSchema, this.path, 'an agent state file');
  }

  write(state: AgentState): void {
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
  }
}

/** Kept as JSON text, as the file store keeps it: each read is a fresh copy (and cheaper than structuredClone). */
export class MemoryStateStore implements StateStore {
  private json = '{}';
  read(): AgentState {
    return JSON.parse(this.json) as AgentState;
  }
  write(state: AgentState): void {
    this.json = JSON.stringify(state);
  }
}
