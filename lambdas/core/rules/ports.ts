/** Ports of proactive support: the regional support store, the notification bus, licence facts. */
import type { BeatType } from '../telemetry/catalogue';
import type { FindingNotification, FindingRecord } from './engine';
import type { LicenceFacts } from './rule';
import type { InstallationState } from './state';

/** The newest beat of one type, kept for support's "latest snapshot" view. */
export interface SnapshotRecord {
  readonly installationId: string;
  readonly accountId: string;
  readonly type: BeatType;
  readonly beatId: string;
  readonly collectedAt: string;
  readonly data: unknown;
}

export interface StateCommit {
  readonly state: InstallationState;
  /** the version read; the commit fails with StateConflict if another write came first */
  readonly expectedVersion: number;
  /** the state as getState returned it (the store may write only what changed since) */
  readonly previous?: InstallationState;
  readonly findings: readonly FindingRecord[];
  readonly snapshots: readonly SnapshotRecord[];
  readonly careLevel: LicenceFacts['careLevel'];
}

export class StateConflict extends Error {
  constructor(readonly installationId: string) {
    super(`state of ${installationId} changed meanwhile`);
    this.name = 'StateConflict';
  }
}

export interface SupportStore {
  getState(installationId: string): Promise<InstallationState | undefined>;
  /** one atomic write per installation per batch: state (version-guarded), findings, snapshots */
  commit(commit: StateCommit): Promise<void>;
}

/** What the missing-beat sweep reads of the support store. */
export interface SilentInstallations {
  /** installations whose newest beat is older than `before` (epoch ms), without a table scan: the most recently silent first */
  silentSince(before: number, limit: number): Promise<string[]>;
  /**
   * Gives the items without an expiry of installations silent since `before` (STATE#APART, open
   * findings, acknowledgements) the expiry `at` (epoch ms), so they go with their state; how many.
   */
  expireSilentRemains(before: number, at: number, limit: number): Promise<number>;
}

export interface NotificationBus {
  publish(notifications: readonly FindingNotification[]): Promise<void>;
}

export interface LicenceFactsSource {
  /** undefined when the installation is unknown or deactivated: its beats are not evaluated */
  factsFor(installationId: string): Promise<LicenceFacts | undefined>;
}
