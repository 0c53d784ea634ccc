/** Ports of the history: where the tiers' blocks are kept (docs/proactive-support.md "History"). */
import type { SeriesPoints } from './series';
import type { Tier } from './tiers';

/** A stored piece of one tier: its points of every series, from `start` (epoch ms) on. */
export interface HistoryBlock {
  readonly start: number;
  readonly series: SeriesPoints;
}

/** One installation's blocks of a tier, as `putBlocks` takes them. */
export interface BlockWrite {
  readonly installationId: string;
  readonly tier: Tier;
  readonly blocks: readonly HistoryBlock[];
  readonly options?: { readonly byContent?: boolean };
}

export interface HistoryStore {
  /**
   * writes blocks of a tier; the same block again writes the same item (a re-sent batch). By start
   * (an hour's aggregates: computed again, they replace the item) or `byContent` (1-minute blocks:
   * two batches whose blocks start in the same minute are kept both; the reads count a point once)
   */
  putBlocks(
    installationId: string,
    tier: Tier,
    blocks: readonly HistoryBlock[],
    options?: { readonly byContent?: boolean },
  ): Promise<void>;
  /**
   * many installations' blocks in as few requests as the store allows (a stream batch's history,
   * record-history.ts deferringPuts); the installations whose blocks were not all written, with why
   */
  putMany(writes: readonly BlockWrite[]): Promise<ReadonlyMap<string, unknown>>;
  /** the blocks of a tier whose start is in [from, to): one Query (paginated) */
  blocks(
    installationId: string,
    tier: Tier,
    from: number,
    to: number,
    options?: { readonly consistent?: boolean },
  ): Promise<HistoryBlock[]>;
  /** the newest block of a tier that starts before `before`, if any */
  blockBefore(installationId: string, tier: Tier, before: number): Promise<HistoryBlock | undefined>;
}
