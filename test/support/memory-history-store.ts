/**
 * The history store in memory, keyed as the DynamoDB one (tier, block start); like DynamoDB Local
 * it never expires an item, so the reads' clock filter is what a retention test sees.
 */
import type { BlockWrite, HistoryBlock, HistoryStore } from '#lambdas/core/history/ports';
import type { Tier } from '#lambdas/core/history/tiers';

export class MemoryHistoryStore implements HistoryStore {
  readonly items = new Map<string, HistoryBlock>();
  puts = 0;

  private key = (installationId: string, tier: Tier, start: number) =>
    `${installationId}|${tier.resolutionSeconds}|${String(start).padStart(13, '0')}`;

  async putBlocks(
    installationId: string,
    tier: Tier,
    blocks: readonly HistoryBlock[],
    options?: { readonly byContent?: boolean },
  ): Promise<void> {
    for (const block of blocks) {
      this.puts++;
      // a copy: what is stored does not move with the caller's maps
      const series = new Map([...block.series].map(([k, points]) => [k, points.map((p) => ({ ...p }))]));
      const key = this.key(installationId, tier, block.start);
      const content = options?.byContent ? `#${JSON.stringify([...series])}` : '';
      this.items.set(key + content, { start: block.start, series });
    }
  }

  /** installations whose next `putMany` fails (a fault to inject), with the reason */
  readonly failing = new Map<string, unknown>();
  manyCalls = 0;

  async putMany(writes: readonly BlockWrite[]): Promise<ReadonlyMap<string, unknown>> {
    this.manyCalls++;
    const failed = new Map<string, unknown>();
    for (const { installationId, tier, blocks, options } of writes) {
      const reason = this.failing.get(installationId);
      if (reason !== undefined) failed.set(installationId, reason);
      else await this.putBlocks(installationId, tier, blocks, options);
    }
    this.failing.clear();
    return failed;
  }

  async blocks(installationId: string, tier: Tier, from: number, to: number): Promise<HistoryBlock[]> {
    const lo = this.key(installationId, tier, Math.max(0, from));
    const hi = this.key(installationId, tier, to);
    return [...this.items]
      .filter(([k]) => k >= lo && k < hi)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, block]) => block);
  }

  async blockBefore(installationId: string, tier: Tier, before: number): Promise<HistoryBlock | undefined> {
    return (await this.blocks(installationId, tier, 0, before)).at(-1);
  }

  /** the tier's blocks of an installation, oldest first */
  of(installationId: string, tier: Tier): HistoryBlock[] {
    const prefix = `${installationId}|${tier.resolutionSeconds}|`;
    return [...this.items]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, b]) => b);
  }
}
