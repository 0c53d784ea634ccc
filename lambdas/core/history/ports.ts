/** Ports of the history: where the tiers' blocks are kept (docs/proactive-support.md "History"). */
import type { SeriesPoints } from './series';
import type { Tier } from './tiers';

/** A stored piece of one tier: its points of every series, from `start` (epoch ms) on. */
export interface HistoryBlock {
  readonly start: number;
  readonly series: SeriesPoints;
}

export interface HistoryStore {
  /** writes one block of a tier; the same block again writes the same item (a re-sent batch) */
  putBlocks(installationId: string, tier: Tier, blocks: readonly HistoryBlock[]): Promise<void>;
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
