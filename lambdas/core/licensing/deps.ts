/** What every licensing use case is given: its store, clock, ids, log and settings. */
import type { Clock, IdGenerator, Logger, Signer } from '../ports';
import type { ServingRegion } from './home-region';
import type { LicensingRepository } from './repository';
import type { LicensingMetrics } from './signer-failure';

export interface LicensingDeps {
  readonly repo: LicensingRepository;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly log: Logger;
  /** the region this code serves: licensing writes only for accounts homed here (home-region.ts) */
  readonly here: ServingRegion;
  /** counts of failures a use case survives (the signer's); none counted when absent */
  readonly metrics?: LicensingMetrics;
}

export interface LicenseSettings {
  readonly signer: Signer;
  readonly nextPollSeconds: number;
  readonly licenseTtlDays: number;
  /** how long a shortfall is kept before licences carry only what is covered; @default DEFAULT_SHORTFALL_GRACE_DAYS (30) */
  readonly shortfallGraceDays?: number;
}

/** How often a commit refused as stale (a concurrent change) is read again and retried. */
export const MAX_COMMIT_ATTEMPTS = 12;

/** Retries `attempt` while it throws a stale CommitRejected, with jittered backoff. */
export async function retryStale<T>(attempt: () => Promise<T>, isStale: (e: unknown) => boolean): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isStale(error) || n >= MAX_COMMIT_ATTEMPTS) throw error;
      const backoffMs = Math.random() * Math.min(200, 10 * 2 ** n);
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}
