/**
 * Ports of the support API: reads of the regional support table (installation health, the latest
 * snapshot, findings) and support's acknowledgements of findings.
 */
import type { Clock, IdGenerator } from '../ports';
import type { LicensingRepository } from '../licensing/repository';
import type { FindingRecord } from '../rules/engine';
import type { SnapshotRecord } from '../rules/ports';
import type { LicenceFacts, Severity } from '../rules/rule';

export type FindingStatus = FindingRecord['status'];

/** An open finding as the installation's state item lists it. */
export interface OpenFindingSummary {
  readonly findingId: string;
  readonly ruleId: string;
  readonly subject: string;
  readonly severity: Severity;
  readonly openedAt: string;
}

/** The installation's state item, reduced to what support looks at. */
export interface InstallationHealth {
  readonly installationId: string;
  readonly accountId: string;
  /** collectedAt of the newest beat, ISO 8601 */
  readonly lastBeatAt?: string;
  readonly careLevel?: LicenceFacts['careLevel'];
  readonly openFindings: readonly OpenFindingSummary[];
}

/** Support's note on a finding. `by` is the principal's opaque subject id, never a name. */
export interface Acknowledgement {
  readonly ackId: string;
  readonly findingId: string;
  readonly installationId: string;
  readonly accountId: string;
  readonly at: string;
  readonly by: string;
  readonly note: string;
}

/** Where a walk of the last-beat index stands inside one bucket: the last installation read. */
export interface SilencePosition {
  readonly installationId: string;
  /** the index's sort key, ISO 8601: its last beat down to the index's step */
  readonly lastBeatAt: string;
}

export interface SupportReadStore {
  /** how many buckets the last-beat index is sharded over */
  readonly silenceBuckets: number;
  /**
   * One page of a bucket of the last-beat index (every installation that ever sent a beat),
   * oldest beat first (to the index's step: 3 hours), each with its health; `beatBefore` keeps
   * only installations silent since, to the exact beat.
   */
  healthBySilence(
    bucket: number,
    page: { readonly beatBefore?: string; readonly after?: SilencePosition; readonly limit: number },
  ): Promise<{
    installations: InstallationHealth[];
    /** each installation's place in the index, in the same order, when it is not its lastBeatAt (a coarser key) */
    positions?: SilencePosition[];
    next?: SilencePosition;
  }>;
  /** every installation of the account that has a state item */
  installationsOfAccount(accountId: string): Promise<InstallationHealth[]>;
  installationHealth(installationId: string): Promise<InstallationHealth | undefined>;
  /** the newest beat of each type */
  snapshot(installationId: string): Promise<SnapshotRecord[]>;
  findings(installationId: string, filter?: { readonly status?: FindingStatus }): Promise<FindingRecord[]>;
  findingsOfAccount(accountId: string, filter?: { readonly status?: FindingStatus }): Promise<FindingRecord[]>;
  finding(installationId: string, findingId: string): Promise<FindingRecord | undefined>;
  /** oldest first; all of the installation's, or those of one finding */
  acknowledgements(installationId: string, findingId?: string): Promise<Acknowledgement[]>;
  acknowledge(ack: Acknowledgement): Promise<void>;
}

/** Each installation's suite version and SQL edition, as the fleet overview counts them. */
export interface FleetFactsReader {
  factsOf(installationIds: readonly string[]): Promise<Map<string, { suiteVersion?: string; sqlEdition?: string }>>;
}

export interface SupportDeps {
  readonly store: SupportReadStore;
  /** for support's list filtered by suite release or SQL edition */
  readonly fleetFacts?: FleetFactsReader;
  /** the Smart Account (its reseller) behind a customer's or reseller's request */
  readonly accounts: Pick<LicensingRepository, 'getAccountState' | 'getInstallation' | 'getLastPolls'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}
