/**
 * The rules' licence facts for one stream batch: those its records carry (ingest put them there
 * with the signature check), the newest record of an installation winning; the licence is read
 * (the fallback source) only for an installation whose records carry none (an older ingest).
 */
import type { Clock } from '../ports';
import type { BatchHeader, RecordLicence } from '../telemetry/stream-record';
import { factsOf } from './licence-facts';
import type { LicenceFactsSource } from './ports';
import type { LicenceFacts } from './rule';

export class RecordLicenceFacts implements LicenceFactsSource {
  private readonly newest = new Map<string, BatchHeader & { licence: RecordLicence }>();

  constructor(
    private readonly fallback: LicenceFactsSource,
    private readonly clock: Clock,
  ) {}

  /** Keeps a decoded record's facts unless a newer record of the installation already gave some. */
  add(header: BatchHeader): void {
    const { licence } = header;
    if (!licence) return;
    const kept = this.newest.get(header.installation_id);
    if (!kept || kept.received_at <= header.received_at)
      this.newest.set(header.installation_id, { ...header, licence });
  }

  async factsFor(installationId: string): Promise<LicenceFacts | undefined> {
    const header = this.newest.get(installationId);
    if (!header) return this.fallback.factsFor(installationId);
    const { products, nodes, telemetry } = header.licence;
    // Care judged now, not at ingest: Care that lapsed since stops counting
    return factsOf({ products, telemetry }, { installationId, accountId: header.account_id, nodes }, this.clock.now());
  }
}
