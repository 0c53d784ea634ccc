/** Ports of the history: where the tiers' blocks are kept (docs/proactive-support.md "History"). */
import type { SeriesPoints } from './series';
import type { Tier } from './tiers';

/** A stored piece of one tier: its points of every series, from `start` (epoch ms) on. */
export interface HistoryBlock {
  readonly start: number;
  readonly series: SeriesPoints;
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
