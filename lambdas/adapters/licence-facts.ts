/**
 * Licence facts for the rules, from the installation's own item in the licensing table: its
 * signed licence and its activated nodes (core/rules/licence-facts.ts derives them). Cached
 * briefly per container. The rules read it only for a stream record without the facts (older ingest).
 */
import type { LicensingRepository } from '../core/licensing/repository';
import { setBounded } from '../core/bounded-map';
import { type Clock, systemClock } from '../core/ports';
import { careLevelAt, factsFromLicence } from '../core/rules/licence-facts';
import type { LicenceFactsSource } from '../core/rules/ports';
import type { LicenceFacts } from '../core/rules/rule';

// Pure, in core since ingest puts the same facts in the stream record.
export { careLevelAt, factsFromLicence };

export class CachedLicenceFacts implements LicenceFactsSource {
  private readonly cache = new Map<string, { at: number; facts: LicenceFacts | undefined }>();

  constructor(
    private readonly repo: Pick<LicensingRepository, 'getInstallation'>,
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly clock: Clock = systemClock,
  ) {}

  async factsFor(installationId: string): Promise<LicenceFacts | undefined> {
    const now = Date.now();
    const hit = this.cache.get(installationId);
    // the Care level is judged at every read: Care that lapses while the facts are cached stops counting then
    if (hit && now - hit.at < this.ttlMs)
      return hit.facts && { ...hit.facts, careLevel: careLevelAt(hit.facts.products, this.clock.now()) };
    const installation = await this.repo.getInstallation(installationId);
    const facts =
      installation && installation.status === 'active'
        ? factsFromLicence(installation.license.jws, installation, this.clock.now())
        : undefined;
    setBounded(this.cache, installationId, { at: now, facts }, this.maxEntries);
    return facts;
  }
}
